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
            case "demo" -> dev.engram.bench.demo.DemoCommand.main(rest);
            case "help", "--help", "-h" -> usage();
            default ->
            {
                System.err.println("unknown command: " + command);
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
              demo [--help]          run the example workload in a child JVM, kill -9 it, recover, verify, report
            """);
    }
}
