package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StateDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/**
 * {@code engram diff DIR A B}: keys added, changed and removed between two versions, read-only.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Keys added (+), changed (~) and removed (-) going from version A to version B (versions or tags). Read-only.")
final class DiffCommand extends StoreCommand
{
    @Parameters(index = "1", paramLabel = "A", description = "the first version (or tag)")
    String from;

    @Parameters(index = "2", paramLabel = "B", description = "the second version (or tag)")
    String to;

    @Override
    int run(final ReadOnlyState state)
    {
        final StateDiff diff = state.diff(Versions.version(state, from), Versions.version(state, to));
        final PrintWriter out = out();
        out.println("diff " + diff.fromVersion() + " -> " + diff.toVersion() + ": " + diff.added().size() + " added, " +
            diff.changed().size() + " changed, " + diff.removed().size() + " removed");
        diff.added().forEach(key -> out.println("+ " + key));
        diff.changed().forEach(key -> out.println("~ " + key));
        diff.removed().forEach(key -> out.println("- " + key));
        out.flush();
        return EngramCli.OK;
    }
}
