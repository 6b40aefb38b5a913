package dev.engram.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything a journal can be configured with, each with a documented default. Set what you need, then
 * {@link Journal#open(JournalContext)} calls {@link #conclude()} which checks the fields against each other.
 */
public final class JournalContext implements Cloneable
{
    /** Slots in the producer ring; a power of two. */
    public static final int RING_SLOT_COUNT_DEFAULT = 64 * 1024;
    /** Bytes per ring slot, 16 of them header; larger deltas take the slower oversize path. */
    public static final int RING_SLOT_LENGTH_DEFAULT = 512;
    /** Bytes of the ring's arena for deltas longer than a slot (PATCHes of weights, contexts of 0.5-2 KiB). */
    public static final int RING_ARENA_LENGTH_DEFAULT = 16 * 1024 * 1024;
    /** Largest key in UTF-8 bytes. */
    public static final int MAX_KEY_LENGTH_DEFAULT = 1024;
    /** Largest encoded delta frame in bytes. */
    public static final int MAX_DELTA_LENGTH_DEFAULT = 16 * 1024 * 1024;
    /** How long a full ring makes a producer wait under {@link BackPressurePolicy#WAIT}. */
    public static final long BACK_PRESSURE_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);
    /** Interval of {@link SyncPolicy#PERIODIC}. */
    public static final long SYNC_INTERVAL_MS_DEFAULT = 1000;
    /** Shortest park of {@link #backgroundIdleStrategy()}, taken while wake-ups find full batches (plus the OS's timer slack). */
    public static final long IDLE_MIN_PARK_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * Longest park of {@link #backgroundIdleStrategy()}: parks double up to it while wake-ups find less than a batch,
     * so at a low rate a background thread wakes about a thousand times a second, not once per delta.
     */
    public static final long IDLE_MAX_PARK_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long the journal thread keeps looking for frames, rather than parking, after a caller waited for one. */
    public static final long WRITER_SPIN_AFTER_WAIT_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * Default of {@link #rollBytes(long)}: 16 MiB, so retention frees the journal in steps of about that size however
     * fast it is written. Rolls by size move the names of cycle files ahead of the wall clock (one roll cycle per
     * roll); new journals get five-minute cycles ({@link JournalRollCycles#FOR_NEW_JOURNALS}) so that the names last
     * (docs/journal.md, "Roll and retention").
     */
    public static final long ROLL_BYTES_DEFAULT = 16L * 1024 * 1024;
    /** A {@link #rollBytes(long)} that bounds the journal's disk well for states of tens of MiB and more: the default. */
    public static final long ROLL_BYTES_SUGGESTED = ROLL_BYTES_DEFAULT;
    /** How long Chronicle waits on a lock or a half-created cycle file before acting. */
    public static final long CHRONICLE_TIMEOUT_MS_DEFAULT = 500;

    private Path directory;
    private int ringSlotCount = RING_SLOT_COUNT_DEFAULT;
    private int ringSlotLength = RING_SLOT_LENGTH_DEFAULT;
    private int ringArenaLength = RING_ARENA_LENGTH_DEFAULT;
    private int maxKeyLength = MAX_KEY_LENGTH_DEFAULT;
    private int maxDeltaLength = MAX_DELTA_LENGTH_DEFAULT;
    private BackPressurePolicy backPressurePolicy = BackPressurePolicy.WAIT;
    private long backPressureTimeoutNs = BACK_PRESSURE_TIMEOUT_NS_DEFAULT;
    private SyncPolicy syncPolicy = SyncPolicy.ASYNC;
    private long syncIntervalMs = SYNC_INTERVAL_MS_DEFAULT;
    private RollCycle rollCycle;          // null: adopted from the directory (JournalRollCycles)
    private Adopted adopted;              // the roll cycle adopted, and for which directory

    private record Adopted(Path directory, RollCycle rollCycle)
    {
    }
    private long rollBytes = ROLL_BYTES_DEFAULT;
    private long chronicleTimeoutMs = CHRONICLE_TIMEOUT_MS_DEFAULT;
    private LongSupplier epochMsClock = System::currentTimeMillis;
    private Supplier<IdleStrategy> writerIdleStrategySupplier = JournalContext::backgroundIdleStrategy;
    private long writerSpinAfterWaitNs = WRITER_SPIN_AFTER_WAIT_NS_DEFAULT;
    private long bridgeMaxLength = JournalBridgeDescriptor.MAX_FILE_LENGTH;
    private Runnable beforeQueueOpen = () -> { };
    private Runnable queueWarmUp;   // null: ChronicleWarmUp.once(this)
    private java.util.function.LongConsumer syncObserver = nanos -> { };
    private long chronicleBlockSize;
    private boolean acceptLoss;
    private boolean concluded;

    /**
     * Check fields against each other.
     *
     * @return this.
     */
    public JournalContext conclude()
    {
        if (directory == null)
        {
            throw new IllegalArgumentException("journal directory must be set");
        }
        if (!BitUtil.isPowerOfTwo(ringSlotCount) || ringSlotCount < 2)
        {
            throw new IllegalArgumentException("ringSlotCount must be a power of two >= 2: ringSlotCount=" + ringSlotCount);
        }
        if (ringSlotLength < 64 || ringSlotLength % 8 != 0)
        {
            throw new IllegalArgumentException("ringSlotLength must be a multiple of 8 and >= 64: ringSlotLength=" + ringSlotLength);
        }
        if (ringArenaLength != 0 && (!BitUtil.isPowerOfTwo(ringArenaLength) || ringArenaLength < DeltaRingDescriptor.MIN_ARENA_LENGTH))
        {
            throw new IllegalArgumentException("ringArenaLength must be 0 (no arena) or a power of two >= " +
                DeltaRingDescriptor.MIN_ARENA_LENGTH + ": ringArenaLength=" + ringArenaLength);
        }
        if ((long)ringSlotCount * ringSlotLength > 1L << 30)
        {
            throw new IllegalArgumentException("ring over 1 GiB: ringSlotCount=" + ringSlotCount + " ringSlotLength=" + ringSlotLength);
        }
        if (maxKeyLength < 1 || maxKeyLength > DeltaFrameDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("maxKeyLength=" + maxKeyLength + " must be in [1, 65535]");
        }
        if (maxDeltaLength < 128 || maxDeltaLength > 256 * 1024 * 1024)
        {
            throw new IllegalArgumentException("maxDeltaLength=" + maxDeltaLength + " must be in [128, 256 MiB]");
        }
        if (backPressureTimeoutNs < 0)
        {
            throw new IllegalArgumentException("backPressureTimeoutNs must be >= 0: " + backPressureTimeoutNs);
        }
        if (syncIntervalMs < 1)
        {
            throw new IllegalArgumentException("syncIntervalMs must be >= 1: " + syncIntervalMs);
        }
        if (chronicleTimeoutMs < 10)
        {
            throw new IllegalArgumentException("chronicleTimeoutMs must be >= 10: " + chronicleTimeoutMs);
        }
        if (chronicleBlockSize != 0 && chronicleBlockSize < 4L * maxDeltaLength)
        {
            throw new IllegalArgumentException("chronicleBlockSize=" + chronicleBlockSize + " must be >= 4 x maxDeltaLength=" +
                maxDeltaLength);
        }
        if (rollBytes != 0 && rollBytes < 4096)
        {
            throw new IllegalArgumentException("rollBytes must be 0 (roll by time only) or >= 4096: rollBytes=" + rollBytes);
        }
        Objects.requireNonNull(rollCycle(), "rollCycle");
        Objects.requireNonNull(epochMsClock, "epochMsClock");
        if (writerSpinAfterWaitNs < 0)
        {
            throw new IllegalArgumentException("writerSpinAfterWaitNs must be >= 0: " + writerSpinAfterWaitNs);
        }
        Objects.requireNonNull(writerIdleStrategySupplier, "writerIdleStrategySupplier");
        concluded = true;
        return this;
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return Chronicle's block size: room for the largest delta several times over.
     */
    long chronicleBlockSize()
    {
        if (chronicleBlockSize > 0)
        {
            return chronicleBlockSize;
        }
        return Math.max(64L << 20, BitUtil.findNextPositivePowerOfTwo((long)maxDeltaLength * 4));
    }

    /**
     * @param blockSize Chronicle's block size (cycle files grow by it); 0 = derived: max(64 MiB, 4 × maxDeltaLength).
     *                  Small values suit small fixtures; it must stay ≥ 4 × maxDeltaLength. @return this.
     */
    public JournalContext chronicleBlockSize(final long blockSize)
    {
        this.chronicleBlockSize = blockSize;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    /** @param directory where the journal's cycle files live (created 0700 if absent). @return this. */
    public JournalContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public int ringSlotCount()
    {
        return ringSlotCount;
    }

    /** @param ringSlotCount slots in the ring, a power of two; default {@value #RING_SLOT_COUNT_DEFAULT}. @return this. */
    public JournalContext ringSlotCount(final int ringSlotCount)
    {
        this.ringSlotCount = ringSlotCount;
        return this;
    }

    public int ringSlotLength()
    {
        return ringSlotLength;
    }

    /** @param ringSlotLength bytes per slot; default {@value #RING_SLOT_LENGTH_DEFAULT}. @return this. */
    public JournalContext ringSlotLength(final int ringSlotLength)
    {
        this.ringSlotLength = ringSlotLength;
        return this;
    }

    public int ringArenaLength()
    {
        return ringArenaLength;
    }

    /**
     * @param ringArenaLength bytes of off-heap memory beside the ring for deltas longer than a slot's frame area
     *                        (a power of two, allocated and touched at open; by the journal thread as it starts
     *                        when the queue opens in the background), so
     *                        appending them allocates nothing. A full arena is back-pressure, as a full ring
     *                        is ({@link #backPressurePolicy}). Deltas longer than a quarter of it, and those
     *                        appended during a background open before the journal thread allocated it, are
     *                        copied to a heap array
     *                        instead ({@code Journal.heapFrameCount()}). 0 = no arena: every delta longer
     *                        than a slot goes on the heap. Default {@value #RING_ARENA_LENGTH_DEFAULT}.
     *                        @return this.
     */
    public JournalContext ringArenaLength(final int ringArenaLength)
    {
        this.ringArenaLength = ringArenaLength;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    /** @param maxKeyLength largest key in UTF-8 bytes; default {@value #MAX_KEY_LENGTH_DEFAULT}. @return this. */
    public JournalContext maxKeyLength(final int maxKeyLength)
    {
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    public int maxDeltaLength()
    {
        return maxDeltaLength;
    }

    /** @param maxDeltaLength largest frame in bytes; default {@value #MAX_DELTA_LENGTH_DEFAULT}. @return this. */
    public JournalContext maxDeltaLength(final int maxDeltaLength)
    {
        this.maxDeltaLength = maxDeltaLength;
        return this;
    }

    public BackPressurePolicy backPressurePolicy()
    {
        return backPressurePolicy;
    }

    /** @param policy what append does on a full ring; default WAIT. @return this. */
    public JournalContext backPressurePolicy(final BackPressurePolicy policy)
    {
        this.backPressurePolicy = Objects.requireNonNull(policy, "backPressurePolicy");
        return this;
    }

    public long backPressureTimeoutNs()
    {
        return backPressureTimeoutNs;
    }

    /** @param timeoutNs how long WAIT waits; default 5 s. @return this. */
    public JournalContext backPressureTimeoutNs(final long timeoutNs)
    {
        this.backPressureTimeoutNs = timeoutNs;
        return this;
    }

    public SyncPolicy syncPolicy()
    {
        return syncPolicy;
    }

    /** @param policy when frames are forced to disk; default ASYNC. @return this. */
    public JournalContext syncPolicy(final SyncPolicy policy)
    {
        this.syncPolicy = Objects.requireNonNull(policy, "syncPolicy");
        return this;
    }

    public long syncIntervalMs()
    {
        return syncIntervalMs;
    }

    /** @param intervalMs period of PERIODIC sync; default {@value #SYNC_INTERVAL_MS_DEFAULT}. @return this. */
    public JournalContext syncIntervalMs(final long intervalMs)
    {
        this.syncIntervalMs = intervalMs;
        return this;
    }

    /**
     * @return the roll cycle set, else the one the directory's cycle files were written with, else (a new journal)
     *         {@link JournalRollCycles#FOR_NEW_JOURNALS} ({@link JournalRollCycles#adopt}); decided once per directory.
     */
    public RollCycle rollCycle()
    {
        if (rollCycle != null)
        {
            return rollCycle;
        }
        if (directory == null)
        {
            return JournalRollCycles.FOR_NEW_JOURNALS;
        }
        Adopted current = adopted;
        if (current == null || !directory.equals(current.directory()))
        {
            current = new Adopted(directory, JournalRollCycles.adopt(directory));
            adopted = current;
        }
        return current.rollCycle();
    }

    /**
     * @param rollCycle how often a new cycle file starts. Default: the roll cycle the directory's cycle files were
     *                  written with, and {@link JournalRollCycles#FOR_NEW_JOURNALS} (five-minute cycles) for a new
     *                  journal; a journal must be opened with the roll cycle it was written with. @return this.
     */
    public JournalContext rollCycle(final RollCycle rollCycle)
    {
        this.rollCycle = rollCycle;
        return this;
    }

    public long rollBytes()
    {
        return rollBytes;
    }

    /**
     * @param rollBytes once the frames of a cycle file (counted from the start of its first frame, after Chronicle's
     *                  header and index arrays; after a reopen, from the first frame that open wrote there) reach this
     *                  many bytes, the next frame starts a new
     *                  cycle file (a roll by size, on top of the roll cycle's rolls by time), so retention, which removes
     *                  whole cycle files, can free the journal in steps of about this size however fast it is written:
     *                  rolling only by time, a burst put everything written in the hour into one file that retention
     *                  never removes (the newest). A roll by size moves the clock Chronicle names cycles by to the start
     *                  of the next cycle, so after a burst the names run ahead of the wall clock (one roll cycle per
     *                  roll by size; nothing reads times from the names) and rolls by time resume once the clock has
     *                  passed them. Each roll costs the journal thread a new file and the sync
     *                  thread a force of the directory and a manifest rewrite. 0 = roll by time only; default
     *                  {@link #ROLL_BYTES_DEFAULT} (16 MiB). @return this.
     */
    public JournalContext rollBytes(final long rollBytes)
    {
        this.rollBytes = rollBytes;
        return this;
    }

    public long chronicleTimeoutMs()
    {
        return chronicleTimeoutMs;
    }

    /** @param timeoutMs Chronicle's lock and cycle-creation timeout; default {@value #CHRONICLE_TIMEOUT_MS_DEFAULT}. @return this. */
    public JournalContext chronicleTimeoutMs(final long timeoutMs)
    {
        this.chronicleTimeoutMs = timeoutMs;
        return this;
    }

    public boolean acceptLoss()
    {
        return acceptLoss;
    }

    /**
     * @param accept open even if versions the journal wrote are gone (a cycle file the manifest lists is missing,
     *               emptied or swapped for another, or the journal ends before its recorded last version): the loss
     *               is listed in {@link JournalOpenReport#losses()}, lost files still there are moved aside as
     *               {@code *.lost}, and new appends reuse the lost version numbers. Default false: such an open throws
     *               a {@link JournalLossException} naming the files and versions, and changes nothing. @return this.
     */
    public JournalContext acceptLoss(final boolean accept)
    {
        this.acceptLoss = accept;
        return this;
    }

    public LongSupplier epochMsClock()
    {
        return epochMsClock;
    }

    /** @param clock the wall clock that decides cycle rolls (tests move it); default the system clock. @return this. */
    public JournalContext epochMsClock(final LongSupplier clock)
    {
        this.epochMsClock = clock;
        return this;
    }

    public Supplier<IdleStrategy> writerIdleStrategySupplier()
    {
        return writerIdleStrategySupplier;
    }

    /**
     * The default idle strategy of Engram's background threads (the journal thread, the state store's applier):
     * no spinning or yielding, a park as soon as there is no work, sized by the work the last wake-up found
     * ({@link BatchingIdleStrategy}): doubling up to {@value #IDLE_MAX_PARK_NS_DEFAULT} ns while wake-ups find less
     * than a batch, halving down to {@value #IDLE_MIN_PARK_NS_DEFAULT} ns while they find more. Producers never wait
     * for these threads ({@code append} returns once the delta is in the ring) and callers that await a version
     * wake the thread they wait on, so a longer park costs only how soon an un-awaited delta is written and
     * visible (at most about a millisecond), and leaves the cores to the application: at 10,000 deltas/s a fixed
     * 50-200 µs park cost the journal thread ~22 µs of CPU per delta and the applier ~14 (docs/benchmarks.md).
     * A deployment with a core to spare per thread can pass a spinning strategy instead.
     *
     * @return a new idle strategy (one per thread).
     */
    public static IdleStrategy backgroundIdleStrategy()
    {
        return new BatchingIdleStrategy(IDLE_MIN_PARK_NS_DEFAULT, IDLE_MAX_PARK_NS_DEFAULT);
    }

    public long writerSpinAfterWaitNs()
    {
        return writerSpinAfterWaitNs;
    }

    /**
     * @param ns how long the journal thread keeps looking for frames instead of idling after a caller waited for
     *           a version ({@code awaitWritten}, {@code awaitSynced}, the engine's {@code awaitApplied}): a caller
     *           that waits for each write appends its next frame microseconds later, and finding it without a
     *           park spares that caller the thread's wake-up (await written p50 12 -> 0.55 µs in docs/benchmarks.md).
     *           Costs a spinning core only while callers keep waiting. 0 = idle at once. Default
     *           {@value #WRITER_SPIN_AFTER_WAIT_NS_DEFAULT} ns. @return this.
     */
    public JournalContext writerSpinAfterWaitNs(final long ns)
    {
        this.writerSpinAfterWaitNs = ns;
        return this;
    }

    /** @param supplier idle strategy of the journal thread when the ring is empty; default {@link #backgroundIdleStrategy()}. @return this. */
    public JournalContext writerIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
    {
        this.writerIdleStrategySupplier = supplier;
        return this;
    }

    public java.util.function.LongConsumer syncObserver()
    {
        return syncObserver;
    }

    /**
     * @param observer told the duration in ns of every force (metrics); runs on the thread that forced: the
     *                 sync thread or a caller of {@code awaitSynced} leading a force (one at a time), must be
     *                 quick and thread-safe. Default: nothing. @return this.
     */
    public JournalContext syncObserver(final java.util.function.LongConsumer observer)
    {
        this.syncObserver = Objects.requireNonNull(observer, "syncObserver");
        return this;
    }

    @Override
    public JournalContext clone()
    {
        try
        {
            final JournalContext copy = (JournalContext)super.clone();
            copy.concluded = false;
            return copy;
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * @return the longest the bridge file of a background open may grow ({@link JournalBridgeDescriptor}).
     */
    long bridgeMaxLength()
    {
        return bridgeMaxLength;
    }

    /**
     * Not API (tests): cap the bridge file; at {@link JournalBridgeDescriptor#FIRST_FRAME_OFFSET} or less it takes no
     * frame, so appends wait in the ring for the queue as they did before the bridge.
     */
    JournalContext bridgeMaxLength(final long length)
    {
        this.bridgeMaxLength = length;
        return this;
    }

    /**
     * @return what a background open runs on its opener thread once it has started on the journal's directory, before
     *         the queue opens (tests hold the open back).
     */
    Runnable beforeQueueOpen()
    {
        return beforeQueueOpen;
    }

    /**
     * Not API (tests): run {@code hook} on a background open's opener thread before the queue opens.
     */
    JournalContext beforeQueueOpen(final Runnable hook)
    {
        this.beforeQueueOpen = hook;
        return this;
    }

    /**
     * @return what a background open runs on its opener thread before it starts on the journal's directory (Chronicle's
     *         cold start, {@link ChronicleWarmUp}); a close meanwhile cancels the open.
     */
    Runnable queueWarmUp()
    {
        final Runnable hook = queueWarmUp;
        return hook != null ? hook : () -> ChronicleWarmUp.once(this);
    }

    /**
     * Not API (tests): run {@code hook} instead of {@link ChronicleWarmUp} on a background open's opener thread, before
     * the open starts on the journal's directory (a close while it runs cancels the open).
     */
    JournalContext queueWarmUp(final Runnable hook)
    {
        this.queueWarmUp = hook;
        return this;
    }
}
