package dev.engram.tools;

import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/**
 * {@code engram history DIR KEY}: every change of a key the journal still holds, read-only.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Every change (version, time, op) of a key the journal still holds. Read-only.")
final class HistoryCommand extends StoreCommand
{
    @Parameters(index = "1", paramLabel = "KEY", description = "the key")
    String key;

    @Override
    int run(final ReadOnlyState state)
    {
        final KeyHistory history = state.history(key);
        final PrintWriter out = out();
        out.println("history of '" + key + "' in versions " + history.fromVersion() + ".." + history.toVersion() + ": " +
            history.changes().size() + " change(s)");
        for (final KeyHistory.Change change : history.changes())
        {
            out.println(String.format("  %12d  %-30s  %s", change.version(), Sizes.time(change.timestampEpochNs()), change.op()));
        }
        out.flush();
        return EngramCli.OK;
    }
}
