package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StateSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code engram get DIR KEY [--at v|time|tag] [--type]}: a key's value, now or at a past version, read-only.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "A key's value at the written version, or at --at (a version, an ISO-8601 instant or a tag). " +
        "Read-only. Printed as text when it is printable UTF-8, else as hex. Exit 1 if the key has no value.")
final class GetCommand extends StoreCommand
{
    @Parameters(index = "1", paramLabel = "KEY", description = "the key")
    String key;

    @Option(names = "--at", paramLabel = "VERSION|TIME|TAG",
        description = "a version (1234), an instant (2026-12-07T03:00:00Z: the last version written at or before it) or a tag")
    String at;

    @Option(names = "--type", description = "show the typed-value envelope (codec id, schema version) and decode it when the codec is known")
    boolean type;

    @Option(names = "--hex", description = "print the value as hex even when it is text")
    boolean hex;

    @Option(names = "--plugin", paramLabel = "JAR", description = "a jar holding the application's CodecPlugin (for --type)")
    List<Path> plugins;

    @Option(names = "--example-codecs", description = "know the engine's example model's codecs (ids 256, 257, 300-303)")
    boolean exampleCodecs;

    @Override
    int run(final ReadOnlyState state)
    {
        final PrintWriter out = out();
        try (StateSnapshot snapshot = Versions.stateAt(state, at))
        {
            final byte[] value = snapshot.get(key);
            if (value == null)
            {
                err().println("engram get: key '" + key + "' has no value at version " + snapshot.version());
                err().flush();
                return EngramCli.DAMAGE;
            }
            if (type)
            {
                out.println("key      " + key);
                out.println("version  " + snapshot.version() + (snapshot.timestampEpochNs() >= 0 ? " (" +
                    Sizes.time(snapshot.timestampEpochNs()) + ")" : ""));
                out.println("length   " + value.length + " bytes");
                out.println("type     " + Values.typed(key, value, Codecs.load(plugins, exampleCodecs)));
            }
            else
            {
                final String text = hex ? null : Values.text(value);
                out.println(text != null ? text : Values.hex(value, Integer.MAX_VALUE));
            }
            out.flush();
            return EngramCli.OK;
        }
    }
}
