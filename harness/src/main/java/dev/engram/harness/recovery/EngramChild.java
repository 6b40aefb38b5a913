package dev.engram.harness.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.RecoveryReport;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateReader;
import dev.engram.recovery.StateStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Engram side of the recovery bench, run in child JVMs.
 * <pre>
 *   build   DIR WORKLOAD...                      state PUTs, checkpoint, tail PUTs, "@tail-written", then wait for SIGKILL
 *   recover DIR KEYS CHECKSUM VERSION MODE [TMP]  open (timed), read every key once (timed, verified), halt
 * </pre>
 * MODE is {@code cold} (nothing loaded before open: the measured runs), {@code mx} (management beans
 * loaded first, so class loading, JIT and GC during open can be counted), {@code warm} (a small store in
 * TMP is built, reopened and read first, so open runs with its classes loaded and its code partly compiled)
 * or {@code profile} (open sampled by {@link StackSampler}, the top methods printed as {@code #} lines).
 * The recover child never closes the store: it halts, so every repetition recovers the same crashed directory.
 */
public final class EngramChild
{
    /** The key of the one commit each recover run makes right after open() returns (not one of the user/* keys). */
    static final String FIRST_COMMIT_KEY = "bench/first-commit-after-open";

    /** Ring slots for the build: 1 KiB PUT frames fit a slot (the default 512 B slot takes the oversize path). */
    static final int BUILD_RING_SLOT_LENGTH = 2048;
    static final int BUILD_RING_SLOT_COUNT = 16 * 1024;

    private EngramChild()
    {
    }

    /**
     * Experiment switch of the cold-start variants: Chronicle's PosixAPI replaced by its no-op before any
     * Chronicle class loads (skips JNR-FFI's runtime code generation in {@code Jvm.<clinit>}). For
     * measurement only: what Chronicle then does without posix calls is not checked here.
     */
    static final String NO_OP_POSIX_PROP_NAME = "engram.bench.noOpPosix";

    public static void main(final String[] args)
    {
        final long mainEntryWallMs = System.currentTimeMillis();
        if (Boolean.getBoolean(NO_OP_POSIX_PROP_NAME))
        {
            net.openhft.posix.PosixAPI.useNoOpPosixApi();
        }
        EngramSystemProperties.apply();
        try
        {
            switch (args[0])
            {
                case "build" -> build(Path.of(args[1]), StateWorkload.fromArgs(args, 2));
                case "recover" -> recover(mainEntryWallMs, Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                    Long.parseLong(args[4]), args[5], args.length > 6 ? Path.of(args[6]) : null);
                default -> throw new IllegalArgumentException("unknown role: " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    static StateContext buildContext(final Path dir)
    {
        return new StateContext().directory(dir).background(false)
            .journal(new JournalContext().ringSlotLength(BUILD_RING_SLOT_LENGTH).ringSlotCount(BUILD_RING_SLOT_COUNT));
    }

    private static void build(final Path dir, final StateWorkload workload) throws InterruptedException
    {
        final StateStore store = StateStore.open(buildContext(dir));
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        final StringBuilder key = new StringBuilder(32);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final long[] hashes = new long[workload.keyCount()];

        final long stateStartNs = System.nanoTime();
        final byte[] value = new byte[workload.valueLength()];
        long version = 0;
        for (int k = 0; k < workload.keyCount(); k++)
        {
            workload.fillValue(value, value.length, k, 0);
            hashes[k] = StateWorkload.valueHash(scratch, value);
            version = journal.append(delta.clear().put(StateWorkload.key(key, k), value));
        }
        awaitWritten(journal, version);
        final long stateNs = System.nanoTime() - stateStartNs;
        ChildOutput.record("state-written", "version", version, "ms", stateNs / 1_000_000);

        final long checkpointStartNs = System.nanoTime();
        final CheckpointInfo checkpoint = store.checkpoint();
        final long checkpointNs = System.nanoTime() - checkpointStartNs;
        if (checkpoint == null || checkpoint.stateVersion() != version)
        {
            throw new IllegalStateException("checkpoint does not hold version=" + version + ": " + checkpoint);
        }
        ChildOutput.record("checkpointed", "version", checkpoint.stateVersion(), "ms", checkpointNs / 1_000_000,
            "fileBytes", checkpoint.fileLength(), "entries", checkpoint.entryCount());

        final long tailStartNs = System.nanoTime();
        final byte[] tailValue = new byte[workload.tailValueLength()];
        final StateWorkload.TailKeys tailKeys = workload.tailKeys();
        for (int j = 0; j < workload.tailCount(); j++)
        {
            final int k = tailKeys.next();
            workload.fillValue(tailValue, tailValue.length, k, j + 1);
            hashes[k] = StateWorkload.valueHash(scratch, tailValue);
            version = journal.append(delta.clear().put(StateWorkload.key(key, k), tailValue));
        }
        awaitWritten(journal, version);
        final long tailNs = System.nanoTime() - tailStartNs;
        long checksum = 0;
        for (int k = 0; k < hashes.length; k++)
        {
            checksum += StateWorkload.keyChecksum(k, hashes[k]);
        }
        ChildOutput.record("tail-written", "version", version, "keys", workload.keyCount(), "checksum", checksum,
            "stateMs", stateNs / 1_000_000, "checkpointMs", checkpointNs / 1_000_000, "tailMs", tailNs / 1_000_000,
            "checkpointBytes", checkpoint.fileLength(), "journalBytes", journal.writtenBytes());
        // the parent kills this process (SIGKILL) now: recovery is measured after a crash, not a clean close
        new CountDownLatch(1).await();
    }

    private static void awaitWritten(final Journal journal, final long version)
    {
        if (!journal.awaitWritten(version, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("version=" + version + " not written within 10 minutes: written=" +
                journal.writtenVersion());
        }
    }

    private static void recover(final long mainEntryWallMs, final Path dir, final int keyCount, final long expectedChecksum,
        final long expectedVersion, final String mode, final Path tmp) throws IOException
    {
        final boolean mx = !mode.equals("cold") && !mode.equals("writable");
        long warmUpMs = 0;
        if (mode.equals("warm"))
        {
            final long startNs = System.nanoTime();
            warmUp(tmp);
            warmUpMs = (System.nanoTime() - startNs) / 1_000_000;
        }
        final long classesBefore = mx ? ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() : 0;
        final long compileMsBefore = mx ? ManagementFactory.getCompilationMXBean().getTotalCompilationTime() : 0;
        final long gcMsBefore = mx ? gcMs() : 0;

        final StackSampler sampler = mode.equals("profile") ? new StackSampler(Thread.currentThread(), 1, TimeUnit.MILLISECONDS) : null;
        final long openStartNs = System.nanoTime();
        final StateStore store = StateStore.open(new StateContext().directory(dir).background(false));
        final long openNs = System.nanoTime() - openStartNs;
        final long readyWallMs = System.currentTimeMillis();
        // issue 14 "writable at once": one commit right after open() returns, and how long until it is written (it
        // then survives a crash of this process); its key is outside the user/* keys the checksum covers
        final boolean writable = mode.equals("writable");
        final long readyNs = System.nanoTime();
        final long[] firstWrittenNs = {-1};
        final long[] firstVisibleNs = {-1};
        Thread firstWaiter = null;
        Thread visibleWaiter = null;
        if (writable)
        {
            final long firstVersion = store.journal().append(store.journal().newDelta().put(FIRST_COMMIT_KEY, new byte[8]));
            firstWaiter = new Thread(() ->
            {
                if (store.journal().awaitWritten(firstVersion, 5, TimeUnit.MINUTES))
                {
                    firstWrittenNs[0] = System.nanoTime() - readyNs;
                }
            }, "first-commit-waiter");
            firstWaiter.start();
            // and how long until it is visible to reads (read-your-writes: what a get after the commit waits for)
            visibleWaiter = new Thread(() ->
            {
                if (store.awaitApplied(firstVersion, 5, TimeUnit.MINUTES))
                {
                    firstVisibleNs[0] = System.nanoTime() - readyNs;
                }
            }, "first-commit-visible-waiter");
            visibleWaiter.start();
        }
        if (sampler != null)
        {
            sampler.close();
            emitProfile("open", sampler);
        }

        final long classesAtReady = mx ? ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() : 0;
        final long compileMsAtReady = mx ? ManagementFactory.getCompilationMXBean().getTotalCompilationTime() : 0;
        final long gcMsAtReady = mx ? gcMs() : 0;

        final StackSampler readSampler = mode.equals("profile") ?
            new StackSampler(Thread.currentThread(), 1, TimeUnit.MILLISECONDS) : null;
        final long readStartNs = System.nanoTime();
        final ReadAll read = readAll(store, keyCount);
        final long readNs = System.nanoTime() - readStartNs;
        if (readSampler != null)
        {
            readSampler.close();
            emitProfile("read", readSampler);
        }

        // the journal's queue opens in the background after a fast-path recovery: how long it took (waits for it)
        final long queueOpenNs = store.journal().openReport().openNs();
        try
        {
            if (firstWaiter != null)
            {
                firstWaiter.join();
                visibleWaiter.join();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final RecoveryReport report = store.recoveryReport();
        for (final String line : report.describe().split("\n"))
        {
            System.out.println("# " + line);
        }
        final long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        ChildOutput.record("recovered",
            "openNs", openNs, "readyWallMs", readyWallMs, "jvmStartMs", jvmStartMs, "mainEntryWallMs", mainEntryWallMs,
            "readNs", readNs, "count", read.count, "missing", read.missing, "checksum", read.checksum,
            // a writable run adds its one first commit, so each later one recovers a version more
            "ok", read.count == keyCount && read.missing == 0 && read.checksum == expectedChecksum &&
                (writable ? report.recoveredVersion() >= expectedVersion && firstWrittenNs[0] >= 0 :
                    report.recoveredVersion() == expectedVersion),
            "firstCommitWrittenMs", firstWrittenNs[0] < 0 ? -1 : firstWrittenNs[0] / 1_000_000.0,
            "firstCommitVisibleMs", firstVisibleNs[0] < 0 ? -1 : firstVisibleNs[0] / 1_000_000.0,
            "reportReadyNs", report.readyNs(), "journalOpenNs", report.journalOpenNs(), "queueOpenNs", queueOpenNs,
            "replayPath", report.replayPath().startsWith("fast") ? "fast" : "full",
            "checkpointOpenNs", report.checkpointOpenNs(), "replayNs", report.replayNs(),
            "framesReplayed", report.framesReplayed(), "checkpointVersion", report.checkpointVersion(),
            "recoveredVersion", report.recoveredVersion(), "clean", report.cleanShutdown(),
            "tornFrames", report.tornFramesTrimmed(), "rejected", report.rejected().size(),
            "warmUpMs", warmUpMs,
            "classesDuringOpen", classesAtReady - classesBefore, "compileMsDuringOpen", compileMsAtReady - compileMsBefore,
            "gcMsDuringOpen", gcMsAtReady - gcMsBefore,
            "classesTotal", ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount(),
            "compileMsTotal", ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
            "processCpuNs", ChildOutput.processCpuNs());
        ChildOutput.haltNow();
    }

    private static void emitProfile(final String phase, final StackSampler sampler)
    {
        System.out.println("# profile of " + phase + ": " + sampler.samples() + " samples; inclusive% self% method");
        final List<String> top = sampler.top(60);
        for (int i = 0; i < top.size(); i++)
        {
            System.out.println("# " + top.get(i));
            final String[] parts = top.get(i).trim().split("\\s+");
            ChildOutput.record("profile", "phase", phase, "rank", i + 1, "inclusive", parts[0], "self", parts[1], "method", parts[2]);
        }
    }

    private static long gcMs()
    {
        long total = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Count, misses and checksum of one pass over every key. */
    static final class ReadAll implements StateReader.ValueReader<Boolean>
    {
        long count;
        long missing;
        long checksum;
        private long lastHash;

        @Override
        public Boolean read(final DirectBuffer value, final int offset, final int length)
        {
            lastHash = StateWorkload.valueHash(value, offset, length);
            return Boolean.TRUE;
        }
    }

    /**
     * Read every key {@code user/0 .. user/<keyCount-1>} once, hashing each value in place.
     */
    static ReadAll readAll(final StateStore store, final int keyCount)
    {
        final ReadAll read = new ReadAll();
        final StringBuilder key = new StringBuilder(32);
        try (StateReader reader = store.newReader())
        {
            for (int k = 0; k < keyCount; k++)
            {
                if (reader.read(StateWorkload.key(key, k), read) == null)
                {
                    read.missing++;
                }
                else
                {
                    read.count++;
                    read.checksum += StateWorkload.keyChecksum(k, read.lastHash);
                }
            }
        }
        return read;
    }

    /**
     * Exercise the same code paths on a small store (build, checkpoint, tail, clean close, reopen with
     * replay, read all) so the measured open runs with classes loaded and hot loops compiled.
     */
    private static void warmUp(final Path tmp) throws IOException
    {
        final Path dir = Files.createDirectories(tmp).resolve("warm-up-" + ProcessHandle.current().pid());
        final StateWorkload workload = new StateWorkload(7, 20_000, 1024, 200_000, 128);
        try
        {
            try (StateStore store = StateStore.open(buildContext(dir)))
            {
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                final StringBuilder key = new StringBuilder(32);
                final byte[] value = new byte[workload.valueLength()];
                long version = 0;
                for (int k = 0; k < workload.keyCount(); k++)
                {
                    workload.fillValue(value, value.length, k, 0);
                    version = journal.append(delta.clear().put(StateWorkload.key(key, k), value));
                }
                awaitWritten(journal, version);
                store.checkpoint();
                final byte[] tailValue = new byte[workload.tailValueLength()];
                final StateWorkload.TailKeys tailKeys = workload.tailKeys();
                for (int j = 0; j < workload.tailCount(); j++)
                {
                    final int k = tailKeys.next();
                    workload.fillValue(tailValue, tailValue.length, k, j + 1);
                    version = journal.append(delta.clear().put(StateWorkload.key(key, k), tailValue));
                }
                awaitWritten(journal, version);
            }
            try (StateStore store = StateStore.open(new StateContext().directory(dir).background(false)))
            {
                final ReadAll read = readAll(store, workload.keyCount());
                if (read.count != workload.keyCount())
                {
                    throw new IllegalStateException("warm-up store lost keys: " + read.count + " of " + workload.keyCount());
                }
            }
        }
        finally
        {
            deleteTree(dir);
        }
    }

    public static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
