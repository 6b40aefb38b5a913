package dev.engram.recovery;

import java.nio.file.Path;

/**
 * One thing {@link ReadOnlyState} found wrong (or worth saying) about a file of a state directory.
 *
 * @param file   the file.
 * @param offset the byte offset in it where the problem starts, or -1 if it concerns the whole file.
 * @param what   what is wrong, in words.
 */
public record StoreFinding(Path file, long offset, String what)
{
    @Override
    public String toString()
    {
        return file + (offset >= 0 ? " offset=" + offset : "") + ": " + what;
    }
}
