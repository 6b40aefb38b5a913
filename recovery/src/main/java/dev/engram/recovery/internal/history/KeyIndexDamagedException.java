package dev.engram.recovery.internal.history;

import java.nio.file.Path;

/**
 * A key-index segment that cannot be trusted (damaged, stale or of a newer format): the index drops it, reports
 * it and rebuilds it from the journal; answers fall back to scanning the journal meanwhile.
 */
final class KeyIndexDamagedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    KeyIndexDamagedException(final Path file, final long offset, final String what)
    {
        super("key history index segment " + file + (offset >= 0 ? " at offset " + offset : "") + ": " + what);
    }
}
