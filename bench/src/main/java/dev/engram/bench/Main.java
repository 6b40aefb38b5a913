package dev.engram.bench;

import dev.engram.journal.EngramSystemProperties;

import java.util.Arrays;

/**
 * Entry point of the runnable jar ({@code ./engram <command>}).
 */
public final class Main
{
    static
    {
        EngramSystemProperties.apply();
    }

    private Main()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String command = args.length == 0 ? "smoke" : args[0];
        final String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command)
        {
            case "smoke" -> SmokeWorkload.run(rest);
            case "bench" -> bench(rest);
            case "help", "--help", "-h" -> usage();
            default ->
            {
                System.err.println("unknown command: " + command);
                usage();
                System.exit(2);
            }
        }
    }

    private static void bench(final String[] args) throws Exception
    {
        final String which = args.length == 0 ? "" : args[0];
        final String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (which)
        {
            case "recovery" -> dev.engram.bench.recovery.RecoveryBench.run(rest);
            default ->
            {
                System.err.println("unknown bench: '" + which + "' (recovery)");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage()
    {
        System.out.println("""
            usage: ./engram <command> [args]
              smoke [DELTAS] [DIR]   append DELTAS (default 1,000,000) from 2 producers, sync, reopen, verify
              bench recovery [--sizes 256m,1g,4g] [--tail 1000000] [--value 1024] [--dir D] [--help for more]
                                     crash (kill -9) then recovery in fresh JVMs: Engram vs a zstd snapshot vs
                                     RocksDB, every key read back and checked; checkpoint vs append latency.
                                     See docs/benchmarks.md ("Recovery").
            """);
    }
}
