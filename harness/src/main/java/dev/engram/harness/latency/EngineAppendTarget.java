package dev.engram.harness.latency;

import dev.engram.engine.internal.EngineInternals;
import dev.engram.engine.Engram;
import dev.engram.journal.Delta;

import java.util.concurrent.TimeUnit;

/**
 * Appends through the engine, {@link Engram#append(Delta)} (the journal's lock-free path plus the engine's
 * append-latency metric), to an engine whose state the caller prepared and keeps open across runs. Each
 * append is one PATCH of {@value #PATCH_LENGTH} bytes inside an existing value {@code <prefix><k>} (the
 * workload's weight update: the state keeps its size however long the run), keys taken in a stride over
 * the whole state so every checkpoint has the whole state's keys to rewrite; encoded frame ~130 bytes.
 * <p>
 * One target serves many fixed-rate runs: {@link #beginRun()} before each marks the version it starts from,
 * and {@link #verify} checks that the run's appends got exactly the next versions and were all applied.
 */
final class EngineAppendTarget implements AppendTarget
{
    static final String NAME = "Engram.append (engine)";
    /** Bytes each PATCH writes. */
    static final int PATCH_LENGTH = 64;
    private static final long APPLIED_TIMEOUT_S = 60;
    /** An odd stride (prime) walks every key of any state size before repeating, far apart in the key space. */
    private static final int KEY_STRIDE = 7_919;

    private final Engram engram;
    private final String prefix;
    private final int keyCount;
    private final int valueLength;
    private volatile long runStartVersion;

    /**
     * @param engram      the open engine (closed by the caller).
     * @param prefix      key prefix of the state's values.
     * @param keyCount    keys {@code <prefix>0 .. <prefix>keyCount-1}, each already holding {@code valueLength} bytes.
     * @param valueLength length of those values, at least {@value #PATCH_LENGTH}.
     */
    EngineAppendTarget(final Engram engram, final String prefix, final int keyCount, final int valueLength)
    {
        if (keyCount < 1 || valueLength < PATCH_LENGTH)
        {
            throw new IllegalArgumentException("keyCount must be >= 1 and valueLength >= " + PATCH_LENGTH + ": keyCount=" +
                keyCount + " valueLength=" + valueLength);
        }
        this.engram = engram;
        this.prefix = prefix;
        this.keyCount = keyCount;
        this.valueLength = valueLength;
        beginRun();
    }

    /**
     * Mark the start of a run: its appends must get the versions after the current last one.
     */
    void beginRun()
    {
        runStartVersion = engram.lastAppendedVersion();
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ProducerAppender newProducerAppender()
    {
        final Delta delta = engram.newDelta();
        final StringBuilder key = new StringBuilder(prefix.length() + 11);
        final byte[] data = new byte[PATCH_LENGTH];
        final int slots = valueLength / PATCH_LENGTH;
        final int start = (int)(Thread.currentThread().getId() % keyCount);
        return new ProducerAppender()
        {
            private int k = start;
            private long count;

            @Override
            public long append()
            {
                k += KEY_STRIDE;
                if (k >= keyCount)
                {
                    k %= keyCount;
                }
                key.setLength(0);
                key.append(prefix).append(k);
                data[0] = (byte)count++;
                delta.clear().patch(key, (long)(k % slots) * PATCH_LENGTH, data);
                return engram.append(delta);
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public long awaitWrittenNs(final long lastId, final long timeoutNs)
    {
        return engram.awaitWritten(lastId, timeoutNs, TimeUnit.NANOSECONDS) ? System.nanoTime() : -1;
    }

    @Override
    public SelfCheck verify(final long appends, final long lastId)
    {
        final long start = runStartVersion;
        final boolean applied = engram.awaitApplied(lastId, APPLIED_TIMEOUT_S, TimeUnit.SECONDS);
        final long lastAppended = engram.lastAppendedVersion();
        final boolean passed = applied && lastId - start == appends && lastAppended == lastId &&
            engram.writtenVersion() >= lastId && engram.damagedFiles().isEmpty();
        return SelfCheck.of(passed, String.format(
            "appends=%d versions %d..%d lastAppendedVersion=%d writtenVersion=%d applied=%b damagedFiles=%s",
            appends, start + 1, lastId, lastAppended, engram.writtenVersion(), applied, engram.damagedFiles()));
    }

    @Override
    public long backPressureEvents()
    {
        return EngineInternals.store(engram).journal().backPressureEvents();
    }

    @Override
    public long ringOccupancy()
    {
        return EngineInternals.store(engram).journal().ringOccupancy();
    }

    @Override
    public long writerThreadId()
    {
        return -1;
    }

    /**
     * Leaves the engine open: it belongs to the caller and serves the next run.
     */
    @Override
    public void close()
    {
    }
}
