package dev.engram.harness.demo;

import dev.engram.journal.EngramSystemProperties;

import java.util.Arrays;

/**
 * {@code ./engram demo ...}: the parent (see {@link DemoRunner}), or, with a first argument
 * {@code --child=worker|recover}, one of the child JVMs it starts ({@link DemoWorker}, {@link DemoRecoverer}).
 */
public final class DemoCommand
{
    /** The harness command ({@code Main demo ...}). */
    public static final String COMMAND = "demo";

    private DemoCommand()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        if (args.length > 0 && args[0].startsWith("--child="))
        {
            final ChildArgs childArgs = ChildArgs.parse(Arrays.copyOfRange(args, 1, args.length));
            switch (args[0].substring("--child=".length()))
            {
                case "worker" -> DemoWorker.main(childArgs);
                case "recover" -> DemoRecoverer.main(childArgs);
                default -> throw new IllegalArgumentException("unknown demo child " + args[0] + ": worker or recover");
            }
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h"))
        {
            System.out.print(DemoOptions.USAGE);
            return;
        }
        final DemoResult result;
        try
        {
            result = DemoRunner.run(DemoOptions.parse(args), System.out);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("engram demo: " + ex.getMessage());
            System.exit(2);
            return;
        }
        System.exit(result.passed() ? 0 : 1);
    }
}
