package dev.engram.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small tmpfs mounted for a disk-full test (tmpfs faults even on reads of holes: the harshest case), unmounted
 * on close. Needs root and the mount command; {@link #mount} returns null where it cannot, so the test can skip
 * with the reason.
 */
public final class SmallTmpfs implements AutoCloseable
{
    private final Path directory;

    private SmallTmpfs(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * @param directory where to mount (created).
     * @param size      tmpfs size, e.g. {@code "8m"}.
     * @return the mount, or null if it cannot be mounted here.
     */
    public static SmallTmpfs mount(final Path directory, final String size) throws IOException, InterruptedException
    {
        Files.createDirectories(directory);
        try
        {
            return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", directory.toString()) == 0 ?
                new SmallTmpfs(directory) : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    public Path directory()
    {
        return directory;
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /**
     * @return the number after {@code name=} in a child's output.
     * @throws AssertionError if there is none.
     */
    public static long number(final String text, final String name)
    {
        final Matcher m = Pattern.compile(name + "=(\\d+)").matcher(text);
        if (!m.find())
        {
            throw new AssertionError(name + " missing in: " + text);
        }
        return Long.parseLong(m.group(1));
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        run("umount", directory.toString());
    }
}
