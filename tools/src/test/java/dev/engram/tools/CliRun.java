package dev.engram.tools;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the CLI through picocli's {@code CommandLine.execute}, capturing stdout and stderr.
 */
record CliRun(int exit, String out, String err)
{
    static CliRun of(final Object... args)
    {
        final String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++)
        {
            strings[i] = String.valueOf(args[i]);
        }
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final picocli.CommandLine cli = EngramCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int exit = cli.execute(strings);
        return new CliRun(exit, out.toString(), err.toString());
    }

    @Override
    public String toString()
    {
        return "exit=" + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
