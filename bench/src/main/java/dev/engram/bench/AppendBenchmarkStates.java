package dev.engram.bench;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * JMH states shared by the append benchmarks. A trial opens one journal or queue in a fresh directory
 * (deleted at the end), so nothing is allocated or opened inside a measured iteration and {@code -prof gc}
 * sees only the append path. Before each iteration the journal is drained (every appended delta written),
 * so each iteration starts with an empty ring.
 */
public final class AppendBenchmarkStates
{
    /**
     * Ring slots of the benchmark journal: 4 Mi slots of {@link AppendPayload#RING_SLOT_LENGTH} bytes
     * (576 MiB), the largest power of two the journal's 1 GiB ring limit allows for 144-byte slots. A
     * flat-out producer still fills it within an iteration: see the per-iteration line
     * {@link EngramJournal} prints.
     */
    public static final int RING_SLOT_COUNT = 4 * 1024 * 1024;
    /** The journal's ring limit (slot count x slot length). */
    static final long RING_LIMIT_BYTES = 1L << 30;
    private static final long DRAIN_TIMEOUT_S = 120;

    static
    {
        EngramSystemProperties.apply();
    }

    private AppendBenchmarkStates()
    {
    }

    /**
     * The journal under test, shared by all producer threads.
     */
    @State(Scope.Benchmark)
    public static class EngramJournal
    {
        Journal journal;
        private Path directory;
        private long iterationStartVersion;
        private long iterationStartRingFull;
        private long iterationStartNs;

        /** @return the encoded length of each appended frame. */
        int frameLength()
        {
            return AppendPayload.FRAME_LENGTH;
        }

        /** @return the ring's slot length. */
        int ringSlotLength()
        {
            return AppendPayload.RING_SLOT_LENGTH;
        }

        /** @return the ring's slot count. */
        int ringSlotCount()
        {
            return RING_SLOT_COUNT;
        }

        /** @return the ring's arena length (0 = none). */
        int ringArenaLength()
        {
            return JournalContext.RING_ARENA_LENGTH_DEFAULT;
        }

        @Setup(Level.Trial)
        public void open() throws IOException
        {
            EngramSystemProperties.apply();
            directory = Files.createTempDirectory("engram-jmh-journal");
            journal = Journal.open(new JournalContext()
                .directory(directory)
                .ringSlotCount(ringSlotCount())
                .ringSlotLength(ringSlotLength())
                .ringArenaLength(ringArenaLength()));
        }

        @Setup(Level.Iteration)
        public void drain()
        {
            final long appended = journal.lastAppendedVersion();
            if (!journal.awaitWritten(appended, DRAIN_TIMEOUT_S, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("journal did not write version " + appended + " within " +
                    DRAIN_TIMEOUT_S + " s: writtenVersion=" + journal.writtenVersion());
            }
            iterationStartVersion = appended;
            iterationStartRingFull = journal.backPressureEvents();
            iterationStartNs = System.nanoTime();
        }

        @TearDown(Level.Iteration)
        public void report()
        {
            final double seconds = (System.nanoTime() - iterationStartNs) / 1e9;
            final long appended = journal.lastAppendedVersion() - iterationStartVersion;
            final long written = journal.writtenVersion() - iterationStartVersion;
            // printed per iteration: did the journal thread keep up, or did the iteration measure back-pressure?
            System.out.printf(Locale.ROOT, "%n[engram] iteration: appended=%,d written=%,d (journal thread %,.0f/s) " +
                "ring-full-events=%,d ring-slots=%,d x %d B, frame %d B%n", appended, written, written / seconds,
                journal.backPressureEvents() - iterationStartRingFull, ringSlotCount(), ringSlotLength(), frameLength());
        }

        @TearDown(Level.Trial)
        public void close()
        {
            final long appended = journal.lastAppendedVersion();
            journal.close();
            if (journal.writtenVersion() != appended)
            {
                throw new IllegalStateException("journal closed with writtenVersion=" + journal.writtenVersion() +
                    " but lastAppendedVersion=" + appended);
            }
            deleteRecursively(directory);
        }
    }

    /**
     * One producer thread's delta: the 128-byte PUT, built once and reused.
     */
    @State(Scope.Thread)
    public static class EngramProducer
    {
        Delta delta;

        @Setup(Level.Trial)
        public void build()
        {
            delta = AppendPayload.newDelta();
        }
    }

    /**
     * The journal under test with the frame length as a JMH parameter ({@code -p frameLength=128,4096}) and
     * the ring either sized so every frame travels inline ({@code slots=inline}: slot = 16 + frame bytes, as
     * many slots as fit in the journal's 1 GiB ring limit, at most {@link #RING_SLOT_COUNT}), or left at the
     * journal's defaults ({@code slots=default}: 64 Ki slots of 512 bytes and the 16 MiB arena, so a 4 KiB frame
     * travels through the arena), or the defaults without the arena ({@code slots=no-arena}: a 4 KiB frame is
     * copied to a heap array beside the ring, which allocates by design; the behaviour before the arena).
     */
    @State(Scope.Benchmark)
    public static class SizedEngramJournal extends EngramJournal
    {
        /** Slot sizing that holds every frame inline. */
        public static final String SLOTS_INLINE = "inline";
        /** The journal's default slot count and length. */
        public static final String SLOTS_DEFAULT = "default";
        /** The journal's defaults less the arena. */
        public static final String SLOTS_NO_ARENA = "no-arena";

        @Param({"128", "4096"})
        public int frameLength;

        @Param({SLOTS_INLINE})
        public String slots;

        @Override
        int frameLength()
        {
            return frameLength;
        }

        @Override
        int ringSlotLength()
        {
            return switch (checkedSlots())
            {
                case SLOTS_DEFAULT, SLOTS_NO_ARENA -> JournalContext.RING_SLOT_LENGTH_DEFAULT;
                default -> AppendPayload.ringSlotLength(frameLength);
            };
        }

        @Override
        int ringSlotCount()
        {
            return switch (checkedSlots())
            {
                case SLOTS_DEFAULT, SLOTS_NO_ARENA -> JournalContext.RING_SLOT_COUNT_DEFAULT;
                default -> Math.min(RING_SLOT_COUNT, Integer.highestOneBit((int)(RING_LIMIT_BYTES / ringSlotLength())));
            };
        }

        @Override
        int ringArenaLength()
        {
            return SLOTS_NO_ARENA.equals(checkedSlots()) ? 0 : JournalContext.RING_ARENA_LENGTH_DEFAULT;
        }

        private String checkedSlots()
        {
            if (!SLOTS_INLINE.equals(slots) && !SLOTS_DEFAULT.equals(slots) && !SLOTS_NO_ARENA.equals(slots))
            {
                throw new IllegalArgumentException("slots must be " + SLOTS_INLINE + ", " + SLOTS_DEFAULT + " or " +
                    SLOTS_NO_ARENA + ": slots=" + slots);
            }
            return slots;
        }
    }

    /**
     * One producer thread's delta for {@link SizedEngramJournal}: a PUT of the parameter's frame length.
     */
    @State(Scope.Thread)
    public static class SizedEngramProducer
    {
        Delta delta;

        @Setup(Level.Trial)
        public void build(final SizedEngramJournal journal)
        {
            delta = AppendPayload.newDelta(journal.frameLength);
        }
    }

    /**
     * The raw Chronicle queue, shared by all producer threads. JMH tears a benchmark-scoped state down
     * before the thread-scoped ones, so the queue is closed by the last {@link RawAppender} to close its
     * appender instead (an appender must not outlive its queue).
     */
    @State(Scope.Benchmark)
    public static class RawQueue
    {
        SingleChronicleQueue queue;
        private Path directory;
        private final AtomicInteger openAppenders = new AtomicInteger();

        @Setup(Level.Trial)
        public void open() throws IOException
        {
            EngramSystemProperties.apply();
            directory = Files.createTempDirectory("engram-jmh-raw");
            queue = RawChronicleQueue.open(directory);
        }

        ExcerptAppender acquireAppender()
        {
            openAppenders.incrementAndGet();
            return queue.createAppender();
        }

        void releaseAppender(final ExcerptAppender appender)
        {
            appender.close();
            if (openAppenders.decrementAndGet() == 0)
            {
                closeQueue();
            }
        }

        private void closeQueue()
        {
            if (queue != null)
            {
                queue.close();
                queue = null;
                deleteRecursively(directory);
            }
        }
    }

    /**
     * One producer thread's Chronicle appender (appenders are single-threaded) and the same 128 bytes.
     */
    @State(Scope.Thread)
    public static class RawAppender
    {
        ExcerptAppender appender;
        byte[] bytes;
        BytesStore<?, byte[]> store;
        private RawQueue queue;

        @Setup(Level.Trial)
        public void open(final RawQueue queue)
        {
            this.queue = queue;
            bytes = AppendPayload.rawBytes();
            store = BytesStore.wrap(bytes);
            appender = queue.acquireAppender();
        }

        @TearDown(Level.Trial)
        public void close()
        {
            queue.releaseAppender(appender);
            appender = null;
        }
    }

    /**
     * The raw Chronicle queue for the sized benchmarks: the same queue, with the frame length as a parameter.
     */
    @State(Scope.Benchmark)
    public static class SizedRawQueue extends RawQueue
    {
        @Param({"128", "4096"})
        public int frameLength;
    }

    /**
     * One producer thread's Chronicle appender over {@link SizedRawQueue} and that many bytes.
     */
    @State(Scope.Thread)
    public static class SizedRawAppender
    {
        ExcerptAppender appender;
        byte[] bytes;
        BytesStore<?, byte[]> store;
        private RawQueue queue;

        @Setup(Level.Trial)
        public void open(final SizedRawQueue queue)
        {
            this.queue = queue;
            bytes = AppendPayload.rawBytes(queue.frameLength);
            store = BytesStore.wrap(bytes);
            appender = queue.acquireAppender();
        }

        @TearDown(Level.Trial)
        public void close()
        {
            queue.releaseAppender(appender);
            appender = null;
        }
    }

    static void deleteRecursively(final Path directory)
    {
        // Chronicle runs store-file listeners (the journal's chmod of a new cycle file) on its background
        // releaser thread, possibly after close: let them finish before the files go
        BackgroundResourceReleaser.releasePendingResources();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.delete(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot delete benchmark file " + p, ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list benchmark directory " + directory, ex);
        }
    }
}
