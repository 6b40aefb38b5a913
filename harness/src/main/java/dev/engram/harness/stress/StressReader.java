package dev.engram.harness.stress;

import dev.engram.engine.Engram;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread's checked reads: every value read through the public API is checked by {@link StressValue}
 * against the key it was read for, the key's floor read before the call and the stamps issued when it
 * returned. Problems go to the run's {@link StressStats}; nothing is thrown for them.
 */
final class StressReader
{
    private final StressValue checker = new StressValue();
    private final AtomicLong issued;
    private final StressStats stats;
    private final String thread;

    StressReader(final AtomicLong issued, final StressStats stats, final String thread)
    {
        this.issued = issued;
        this.stats = stats;
        this.thread = thread;
    }

    String thread()
    {
        return thread;
    }

    StressStats stats()
    {
        return stats;
    }

    /**
     * {@code engram.get} a key that must have a value (never deleted once written), no older than its floor.
     */
    void getLive(final Engram engram, final StressKeys keys, final int key)
    {
        final long floor = keys.floor(key);
        final byte[] value = engram.get(keys.name(key));
        stats.reads.increment();
        if (value == null)
        {
            stats.missed(thread, 1, "get('" + keys.name(key) + "') returned null; the key was written (floor stamp " +
                floor + ") and is never deleted");
            return;
        }
        check(keys.name(key), keys.hash(key), value, floor);
    }

    /**
     * {@code engram.get} a key that may be absent (created and deleted while readers run).
     */
    void getMaybe(final Engram engram, final StressKeys keys, final int key)
    {
        final byte[] value = engram.get(keys.name(key));
        stats.reads.increment();
        if (value != null)
        {
            check(keys.name(key), keys.hash(key), value, 0);
        }
    }

    /**
     * Check a value read for {@code key}, which must be at least {@code floor} new.
     *
     * @return true if it is good.
     */
    boolean check(final String key, final long keyHash, final byte[] value, final long floor)
    {
        final String problem = checker.check(key, keyHash, value, floor, issued.get());
        if (problem != null)
        {
            stats.wrongValue(thread, problem);
            return false;
        }
        stats.validations.increment();
        return true;
    }
}
