package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What every read-only command shares: the state directory and access to it through {@link ReadOnlyState}, which
 * never writes.
 */
abstract class StoreCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the state directory (the one given to Engram.open)")
    Path directory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception
    {
        try (ReadOnlyState state = ReadOnlyState.open(directory))
        {
            return run(state);
        }
    }

    abstract int run(ReadOnlyState state) throws Exception;

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    PrintWriter err()
    {
        return spec.commandLine().getErr();
    }
}
