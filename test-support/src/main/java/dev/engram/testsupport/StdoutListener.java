package dev.engram.testsupport;

import java.io.IOException;

/**
 * Takes a child's stdout line by line as the child writes it ({@link ChildJvm.Builder#onStdout}), on the reader
 * thread of that child.
 */
@FunctionalInterface
public interface StdoutListener
{
    /**
     * @param line one line, without its line end.
     */
    void line(String line);

    /**
     * The stream ended: the child exited or was killed, or reading failed.
     *
     * @param failure why reading stopped early, or null at the normal end.
     */
    default void end(final IOException failure)
    {
    }
}
