package dev.engram.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a child's stdout line by line on a daemon thread: each line is copied to the stdout file and handed to a
 * listener. The thread ends when the child's stdout closes (the child exited or was killed).
 */
final class StdoutPump
{
    private final Thread thread;

    private StdoutPump(final Thread thread)
    {
        this.thread = thread;
    }

    static StdoutPump start(final String name, final Process process, final Path file, final StdoutListener listener)
        throws IOException
    {
        final Writer copy = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        final Thread thread = new Thread(() -> pump(process, copy, listener), "child-stdout-" + name);
        thread.setDaemon(true);
        thread.start();
        return new StdoutPump(thread);
    }

    /** Wait (at most {@code millis}) until every line was read and handed on. */
    void awaitEnd(final long millis) throws InterruptedException
    {
        thread.join(millis);
    }

    private static void pump(final Process process, final Writer copy, final StdoutListener listener)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer out = copy)
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                out.write(line);
                out.write('\n');
                out.flush();
                listener.line(line);
            }
        }
        catch (final IOException ex)
        {
            listener.end(ex);
            return;
        }
        listener.end(null);
    }
}
