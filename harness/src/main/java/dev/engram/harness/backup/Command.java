package dev.engram.harness.backup;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * External programs the bench compares with (restic, tar, zstd): found on the PATH, run with their output in a log
 * file, a non-zero exit an exception naming the command and the log's end.
 */
final class Command
{
    private Command()
    {
    }

    /** @return the program's path when it is an executable on the PATH, else null. */
    static Path which(final String program)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** Runs {@code command} to its end (at most 3 hours), its output appended to {@code log}. */
    static void run(final List<String> command, final Map<String, String> env, final Path log) throws IOException,
        InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        await(List.of(builder.start()), command.toString(), log);
    }

    /**
     * Runs two programs as a pipeline ({@code first | second}), the second's output to {@code output} when not null,
     * both programs' errors appended to {@code log}.
     */
    static void pipe(final List<String> first, final List<String> second, final Path output, final Path log)
        throws IOException, InterruptedException
    {
        final ProcessBuilder a = new ProcessBuilder(first).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        final ProcessBuilder b = new ProcessBuilder(second).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectOutput(output != null ? ProcessBuilder.Redirect.to(output.toFile()) :
                ProcessBuilder.Redirect.appendTo(log.toFile()));
        await(ProcessBuilder.startPipeline(List.of(a, b)), first + " | " + second, log);
    }

    private static void await(final List<Process> processes, final String what, final Path log) throws IOException,
        InterruptedException
    {
        final List<Integer> exits = new ArrayList<>();
        for (final Process process : processes)
        {
            if (!process.waitFor(3, TimeUnit.HOURS))
            {
                processes.forEach(Process::destroyForcibly);
                throw new IOException(what + " did not end within 3 hours; its output: " + log);
            }
            exits.add(process.exitValue());
        }
        if (exits.stream().anyMatch(exit -> exit != 0))
        {
            throw new IOException(what + " failed (exit " + exits + "); the end of its output (" + log + "):\n" + tail(log));
        }
    }

    private static String tail(final Path log) throws IOException
    {
        if (!Files.exists(log))
        {
            return "";
        }
        final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
