package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.SortedMap;

/**
 * {@code engram tags DIR}: the named versions, read-only.
 */
@Command(name = "tags", mixinStandardHelpOptions = true, description = "The named versions (tag, version). Read-only.")
final class TagsCommand extends StoreCommand
{
    @Override
    int run(final ReadOnlyState state)
    {
        final SortedMap<String, Long> tags = state.tags();
        final PrintWriter out = out();
        if (tags.isEmpty())
        {
            out.println("no tags");
        }
        tags.forEach((name, version) -> out.println(version + "\t" + name));
        out.flush();
        return EngramCli.OK;
    }
}
