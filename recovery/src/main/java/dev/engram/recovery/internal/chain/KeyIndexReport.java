package dev.engram.recovery.internal.chain;

import java.nio.file.Path;

/**
 * How a {@link KeyLocationIndex} came to be: opened as published, or built (and why).
 */
public final class KeyIndexReport
{
    /**
     * How the index file in force was obtained.
     */
    public enum Method
    {
        /** A published, sealed index was opened as it was. */
        OPENED,
        /** Built from a full checkpoint's entries. */
        BUILT_FROM_FULL,
        /** The parent's sealed index was copied and the delta's puts and removals applied. */
        COPIED_FROM_PARENT,
        /** Built from every checkpoint of the chain, base to head (missing, damaged or outgrown index). */
        REBUILT_FROM_CHAIN
    }

    private final Method method;
    private final String reason;
    private final Path file;
    private final long liveKeys;
    private final long elapsedNs;

    KeyIndexReport(final Method method, final String reason, final Path file, final long liveKeys, final long elapsedNs)
    {
        this.method = method;
        this.reason = reason;
        this.file = file;
        this.liveKeys = liveKeys;
        this.elapsedNs = elapsedNs;
    }

    public Method method()
    {
        return method;
    }

    /**
     * @return why it was rebuilt, or null.
     */
    public String reason()
    {
        return reason;
    }

    public Path file()
    {
        return file;
    }

    public long liveKeys()
    {
        return liveKeys;
    }

    public long elapsedNs()
    {
        return elapsedNs;
    }

    @Override
    public String toString()
    {
        return "KeyIndexReport{method=" + method + (reason == null ? "" : " reason=" + reason) + " liveKeys=" + liveKeys +
            " elapsedMs=" + elapsedNs / 1_000_000 + " file=" + file + "}";
    }
}
