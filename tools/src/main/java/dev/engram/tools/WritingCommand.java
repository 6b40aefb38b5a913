package dev.engram.tools;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What the commands that change the store share ({@code checkpoint}, {@code migrate}): they open it as an application
 * does (the lock, recovery, the journal for writing) and close it cleanly. The directory must already be a state
 * directory: these commands never create one.
 */
abstract class WritingCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the state directory (must not be open in another process)")
    Path directory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private net.openhft.chronicle.queue.RollCycle rollCycle;

    @Override
    public final Integer call() throws Exception
    {
        try (ReadOnlyState state = ReadOnlyState.open(directory))   // refuses a directory that is not a store
        {
            rollCycle = state.journalRollCycle();
        }
        return run();
    }

    abstract int run() throws Exception;

    /**
     * Open the store with {@code ctx}, its journal on the roll cycle the store's cycle files were written with (the
     * other settings are the engine's defaults).
     */
    Engram open(final EngramContext ctx)
    {
        ctx.journal().rollCycle(rollCycle);
        final Engram engram = Engram.open(directory, ctx);
        out().println("opened " + directory + " at version " + engram.appliedVersion() + " (" +
            firstWords(engram.recoveryReport().replayPath()) + " path, " + engram.recoveryReport().framesReplayed() + " frames replayed)");
        return engram;
    }

    private static String firstWords(final String path)
    {
        final int colon = path == null ? -1 : path.indexOf(':');
        return path == null ? "?" : colon < 0 ? path : path.substring(0, colon);
    }

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    PrintWriter err()
    {
        return spec.commandLine().getErr();
    }
}
