package dev.engram.engine;

import dev.engram.journal.BackPressurePolicy;
import dev.engram.journal.JournalContext;
import dev.engram.journal.SyncPolicy;
import dev.engram.recovery.StateContext;

/**
 * All of an engine's configuration in one place, each setting with a documented default (see the
 * constants of {@link JournalContext} and {@link StateContext}). The journal and state contexts underneath
 * are reachable for the rarer settings; codecs and migrations are registered here too.
 */
public final class EngramContext
{
    private final StateContext state = new StateContext();
    private final CodecRegistry codecs = new CodecRegistry();
    private final MigrationRegistry migrations = new MigrationRegistry();
    private boolean recordAppendLatency = true;
    private boolean readYourWrites = true;
    private long readYourWritesTimeoutMs = 30_000;

    /** @return the state context (checkpoints, retention, verification). */
    public StateContext state()
    {
        return state;
    }

    /** @return the journal context (ring, durability, back-pressure, rolling). */
    public JournalContext journal()
    {
        return state.journal();
    }

    /** @return codecs of typed values (built-ins registered). */
    public CodecRegistry codecs()
    {
        return codecs;
    }

    /** @return migrations of typed values between schema versions. */
    public MigrationRegistry migrations()
    {
        return migrations;
    }

    /** @param policy when appends are forced to disk; default ASYNC. @return this. */
    public EngramContext syncPolicy(final SyncPolicy policy)
    {
        journal().syncPolicy(policy);
        return this;
    }

    /** @param intervalMs period of PERIODIC sync; default 1000. @return this. */
    public EngramContext syncIntervalMs(final long intervalMs)
    {
        journal().syncIntervalMs(intervalMs);
        return this;
    }

    /** @param slots ring slots (power of two); default 65,536. @return this. */
    public EngramContext ringSlotCount(final int slots)
    {
        journal().ringSlotCount(slots);
        return this;
    }

    /**
     * @param bytes off-heap arena beside the ring for deltas longer than a slot (a power of two, 0 = none: such
     *              deltas are copied to the heap); default 16 MiB. Size it for bursts of large deltas beyond the
     *              disk's rate: a full arena is back-pressure. @return this.
     */
    public EngramContext ringArenaLength(final int bytes)
    {
        journal().ringArenaLength(bytes);
        return this;
    }

    /** @param policy what append does on a full ring (WAIT with a timeout, or FAIL_FAST); default WAIT. @return this. */
    public EngramContext backPressure(final BackPressurePolicy policy, final long timeoutNs)
    {
        journal().backPressurePolicy(policy).backPressureTimeoutNs(timeoutNs);
        return this;
    }

    /** @param frames checkpoint after this many journaled deltas; default 500,000. @return this. */
    public EngramContext checkpointEveryFrames(final long frames)
    {
        state.checkpointEveryFrames(frames);
        return this;
    }

    /** @param intervalMs checkpoint at least this often when anything changed (0: never by time); default 5 min. @return this. */
    public EngramContext checkpointIntervalMs(final long intervalMs)
    {
        state.checkpointIntervalMs(intervalMs);
        return this;
    }

    /**
     * @param ms how long {@code close()} waits for the journal when the engine is closed while its journal's queue is
     *           still opening in the directory (a close during the open's Chronicle cold start cancels it instead and
     *           returns at once; docs/embedding.md, "What close does"). Default: no bound, every file is
     *           settled when close returns. 0 suits a short-lived process: close returns once what was committed is
     *           forced, and the journal finishes by itself ({@link Engram#closed()}); see
     *           {@link StateContext#closeJournalWaitMs(long)}. @return this.
     */
    public EngramContext closeJournalWaitMs(final long ms)
    {
        state.closeJournalWaitMs(ms);
        return this;
    }

    /** @param compress zstd-compress checkpoint blocks; default false. @return this. */
    public EngramContext compress(final boolean compress)
    {
        state.compress(compress);
        return this;
    }

    /**
     * @param versions keep history (stateAt, history, diff) for at least this many versions back; 0 (default)
     *                 keeps only what recovery needs. @return this.
     */
    public EngramContext historyVersions(final long versions)
    {
        state.historyVersions(versions);
        return this;
    }

    /** @param durationMs keep history for at least this long; 0 (default): off. @return this. */
    public EngramContext historyDurationMs(final long durationMs)
    {
        state.historyDurationMs(durationMs);
        return this;
    }

    /** @param record record caller-side latency of {@link Engram#append}; default true. @return this. */
    public EngramContext recordAppendLatency(final boolean record)
    {
        this.recordAppendLatency = record;
        return this;
    }

    public boolean recordAppendLatency()
    {
        return recordAppendLatency;
    }

    /**
     * @param enabled a thread's reads ({@code get}, {@code contains}, {@code forEach}, {@code keys}) first wait until
     *                the last version that thread committed through the engine ({@link Engram#append},
     *                {@link DeltaBuilder#commit()}) is applied, so it always sees its own writes; default true.
     *                Off: reads see whatever is applied (weakly consistent, no wait). @return this.
     */
    public EngramContext readYourWrites(final boolean enabled)
    {
        this.readYourWrites = enabled;
        return this;
    }

    public boolean readYourWrites()
    {
        return readYourWrites;
    }

    /**
     * @param timeoutMs how long a read waits for its thread's own last commit to be applied before it fails with
     *                  an {@link IllegalStateException} naming the version and why it is not applied (the journal
     *                  stopped, the disk is full, the applier waits for a repair); default 30,000. @return this.
     */
    public EngramContext readYourWritesTimeoutMs(final long timeoutMs)
    {
        if (timeoutMs <= 0)
        {
            throw new IllegalArgumentException("readYourWritesTimeoutMs must be > 0: " + timeoutMs);
        }
        this.readYourWritesTimeoutMs = timeoutMs;
        return this;
    }

    public long readYourWritesTimeoutMs()
    {
        return readYourWritesTimeoutMs;
    }

    /**
     * @param maxKeys  most keys one delta of {@link Engram#migrate} rewrites; default 1,000.
     * @param maxBytes about the most bytes of one such delta (a single larger value goes alone; never above the
     *                 journal's {@code maxDeltaLength}); default 1 MiB. Together they bound migrate's memory.
     * @return this.
     */
    public EngramContext migrationBatch(final int maxKeys, final int maxBytes)
    {
        if (maxKeys < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("migrationBatch maxKeys=" + maxKeys + " and maxBytes=" + maxBytes + " must be > 0");
        }
        this.migrationBatchKeys = maxKeys;
        this.migrationBatchBytes = maxBytes;
        return this;
    }

    public int migrationBatchKeys()
    {
        return migrationBatchKeys;
    }

    public int migrationBatchBytes()
    {
        return migrationBatchBytes;
    }

    private int migrationBatchKeys = 1_000;
    private int migrationBatchBytes = 1 << 20;
}
