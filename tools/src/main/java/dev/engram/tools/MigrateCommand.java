package dev.engram.tools;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.MigrationReport;
import dev.engram.engine.TypedValues;
import dev.engram.engine.UnknownCodecException;
import dev.engram.engine.ValueEnvelope;
import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StateSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code engram migrate DIR [--plugin JAR] [--dry-run]}: rewrite every typed value stored at an older schema version
 * at its codec's current one, through the engine's own migration ({@code Engram.migrate}), with the codecs and
 * migrations the application hands over as a {@link CodecPlugin}. A generic CLI cannot know an application's codecs:
 * without them nothing is changed and the command says which codec ids it met. {@code --dry-run} only reports, read-only.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Rewrite every typed value of an older schema version at its codec's current version (Engram.migrate), " +
        "with the codecs and migrations of the application's CodecPlugin (--plugin JAR, or on the class path). " +
        "Changes the store; --dry-run reports what would be migrated, read-only.",
        "Refuses (exit 2, nothing written) while any stored value's codec is unknown."})
final class MigrateCommand extends WritingCommand
{
    @Option(names = "--plugin", paramLabel = "JAR", description = "a jar with META-INF/services/dev.engram.tools.CodecPlugin")
    List<Path> plugins;

    @Option(names = "--example-codecs", description = "use the engine's example model's codecs (ids 256, 257, 300-303)")
    boolean exampleCodecs;

    @Option(names = "--dry-run", description = "report what would be migrated; change nothing (read-only)")
    boolean dryRun;

    @Override
    int run()
    {
        final Codecs codecs = Codecs.load(plugins, exampleCodecs);
        out().println("codecs: built-in" + (codecs.loaded.isEmpty() ? "" : ", " + String.join(", ", codecs.loaded)));
        final Scan scan = scan(codecs);
        out().println(String.format(Locale.ROOT, "%,d values: %,d raw, %,d current, %,d to migrate%s", scan.values, scan.raw,
            scan.current, scan.toMigrate, scan.unknown.isEmpty() ? "" : ", " + scan.unknownValues + " of unknown codecs " +
            scan.unknown));
        scan.byCodec.forEach((codec, count) -> out().println("  to migrate: " + codec + ": " + count));
        if (!scan.unknown.isEmpty())
        {
            err().println("engram migrate: values of codec id(s) " + scan.unknown.keySet() + " have no codec here; nothing " +
                "was changed. Give the application's codecs with --plugin JAR (a jar with a CodecPlugin in " +
                "META-INF/services/dev.engram.tools.CodecPlugin)");
            err().flush();
            return EngramCli.COULD_NOT_RUN;
        }
        if (dryRun || scan.toMigrate == 0)
        {
            out().println(dryRun ? "dry run: nothing changed" : "nothing to migrate");
            out().flush();
            return EngramCli.OK;
        }
        final EngramContext ctx = new EngramContext();
        Codecs.load(plugins, exampleCodecs, ctx.codecs(), ctx.migrations());
        try (Engram engram = open(ctx))
        {
            final MigrationReport report = engram.migrate(scanned -> { });
            out().println(String.format(Locale.ROOT, "migrated %,d of %,d values (%,d raw left alone), last version %d, %.1f ms",
                report.migrated(), report.scanned(), report.skippedRaw(), report.lastVersion(), report.elapsedNs() / 1e6));
        }
        catch (final UnknownCodecException ex)
        {
            throw new IllegalStateException(ex.getMessage() + "; give the application's codecs with --plugin JAR", ex);
        }
        out().println("closed cleanly");
        out().flush();
        return EngramCli.OK;
    }

    /** What the newest state holds, by how it would migrate. */
    static final class Scan
    {
        long values;
        long raw;
        long current;
        long toMigrate;
        long unknownValues;
        final Map<Integer, Long> unknown = new TreeMap<>();
        final Map<String, Long> byCodec = new TreeMap<>();
    }

    private Scan scan(final Codecs codecs)
    {
        final Scan scan = new Scan();
        final TypedValues typed = new TypedValues(codecs.codecs, codecs.migrations);
        final ValueEnvelope envelope = new ValueEnvelope();
        try (ReadOnlyState state = ReadOnlyState.open(directory);
             StateSnapshot snapshot = state.stateAt(state.historyRange().newestVersion()))
        {
            snapshot.forEach("", (key, value, offset, length) ->
            {
                scan.values++;
                envelope.wrap(value, offset, length);
                if (envelope.verify() != ValueEnvelope.Check.OK)
                {
                    scan.raw++;
                    return;
                }
                final int id = envelope.codecId();
                if (codecs.codecs.codec(id) == null)
                {
                    scan.unknownValues++;
                    scan.unknown.merge(id, 1L, Long::sum);
                    return;
                }
                if (typed.needsMigration(key, value, offset, length))
                {
                    scan.toMigrate++;
                    scan.byCodec.merge(codecs.codecs.codec(id).name() + " v" + envelope.schemaVersion(), 1L, Long::sum);
                }
                else
                {
                    scan.current++;
                }
            });
        }
        return scan;
    }
}
