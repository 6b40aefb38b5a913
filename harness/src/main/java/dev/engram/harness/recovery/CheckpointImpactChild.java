package dev.engram.harness.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateStore;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * "Does building a checkpoint raise producers' append latency?", in one child JVM:
 * <pre>
 *   DIR KEYS VALUE_LENGTH TAIL_VALUE_LENGTH RATE WARM_UP_S PHASE_S SEED
 * </pre>
 * Builds a state of KEYS values and checkpoints it (not timed), then one producer thread appends 128-byte
 * PUTs over random keys at a fixed RATE: WARM_UP_S not recorded, PHASE_S recorded with no checkpoint
 * ({@code quiet}), PHASE_S recorded while another thread runs {@link StateStore#checkpoint()} back to back
 * ({@code checkpointing}). Every checkpoint is a full one ({@code maxChainLength(1)}): the whole state is
 * rewritten, the worst case a producer can meet.
 * <p>
 * Two caller-side latencies of {@code journal.append} per phase, both coordinated-omission corrected:
 * <ul>
 *   <li>{@code call}: from the call's start to its return, recorded with the schedule's interval as the
 *       expected interval (HdrHistogram back-fills the deltas a long call held up): what append itself costs;</li>
 *   <li>{@code schedule}: from the delta's <em>intended</em> start on the fixed schedule to the return: also
 *       counts the producer thread being late, e.g. descheduled because the cores are busy.</li>
 * </ul>
 */
public final class CheckpointImpactChild
{
    private CheckpointImpactChild()
    {
    }

    public static void main(final String[] args)
    {
        EngramSystemProperties.apply();
        try
        {
            run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]), Long.parseLong(args[7]));
            ChildOutput.haltNow();
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    private static void run(final Path dir, final int keyCount, final int valueLength, final int tailValueLength,
        final int rate, final int warmUpSeconds, final int phaseSeconds, final long seed) throws InterruptedException
    {
        final StateContext ctx = new StateContext().directory(dir).background(false).maxChainLength(1);
        final StateStore store = StateStore.open(ctx);
        final Journal journal = store.journal();
        final StateWorkload workload = new StateWorkload(seed, keyCount, valueLength, 0, tailValueLength);
        final Delta delta = journal.newDelta();
        final StringBuilder key = new StringBuilder(32);
        final byte[] value = new byte[valueLength];
        long version = 0;
        for (int k = 0; k < keyCount; k++)
        {
            workload.fillValue(value, valueLength, k, 0);
            version = journal.append(delta.clear().put(StateWorkload.key(key, k), value));
        }
        if (!journal.awaitWritten(version, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("state not written: version=" + version);
        }
        final long firstCheckpointStartNs = System.nanoTime();
        final CheckpointInfo first = store.checkpoint();
        ChildOutput.record("state-ready", "version", version, "checkpointMs",
            (System.nanoTime() - firstCheckpointStartNs) / 1_000_000, "checkpointBytes", first.fileLength());

        final Producer producer = new Producer(journal, keyCount, tailValueLength, rate, seed);
        producer.run(TimeUnit.SECONDS.toNanos(warmUpSeconds), null, null);
        final Histogram quietCall = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram quiet = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long quietBehindNs = producer.run(TimeUnit.SECONDS.toNanos(phaseSeconds), quietCall, quiet);

        final AtomicBoolean stop = new AtomicBoolean();
        final Histogram checkpointMs = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
        final Throwable[] checkpointFailure = new Throwable[1];
        final Thread checkpointer = new Thread(() ->
        {
            try
            {
                while (!stop.get())
                {
                    final long startNs = System.nanoTime();
                    store.checkpoint();
                    checkpointMs.recordValue((System.nanoTime() - startNs) / 1_000_000);
                }
            }
            catch (final Throwable ex)
            {
                checkpointFailure[0] = ex;
            }
        }, "bench-checkpointer");
        final Histogram checkpointingCall = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram checkpointing = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long checkpointsBefore = store.checkpointCount();
        checkpointer.start();
        final long checkpointingBehindNs = producer.run(TimeUnit.SECONDS.toNanos(phaseSeconds), checkpointingCall, checkpointing);
        stop.set(true);
        checkpointer.join();
        if (checkpointFailure[0] != null)
        {
            throw new IllegalStateException("checkpoint failed during the run", checkpointFailure[0]);
        }
        final long lastVersion = producer.lastVersion;
        if (!journal.awaitWritten(lastVersion, 1, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("producer's deltas not written: version=" + lastVersion);
        }
        final long checkpoints = store.checkpointCount() - checkpointsBefore;
        final long fullCheckpoints = checkpoints - (store.deltaCheckpointCount());
        report("quiet", "call", quietCall, quietBehindNs);
        report("quiet", "schedule", quiet, quietBehindNs);
        report("checkpointing", "call", checkpointingCall, checkpointingBehindNs);
        report("checkpointing", "schedule", checkpointing, checkpointingBehindNs);
        ChildOutput.record("impact", "rate", rate, "phaseSeconds", phaseSeconds, "lastVersion", lastVersion,
            "denseVersions", producer.dense, "checkpoints", checkpoints, "fullCheckpoints", fullCheckpoints,
            "checkpointMsMin", checkpointMs.getMinValue(), "checkpointMsMax", checkpointMs.getMaxValue(),
            "checkpointMsMedian", checkpointMs.getValueAtPercentile(50),
            "backPressureEvents", journal.backPressureEvents(),
            "checkpointVersion", store.checkpointVersion(), "processCpuNs", ChildOutput.processCpuNs());
    }

    private static void report(final String phase, final String kind, final Histogram histogram, final long maxBehindNs)
    {
        ChildOutput.record("latency", "phase", phase, "kind", kind, "count", histogram.getTotalCount(),
            "p50Ns", histogram.getValueAtPercentile(50), "p90Ns", histogram.getValueAtPercentile(90),
            "p99Ns", histogram.getValueAtPercentile(99), "p999Ns", histogram.getValueAtPercentile(99.9),
            "p9999Ns", histogram.getValueAtPercentile(99.99), "maxNs", histogram.getMaxValue(),
            "maxLateStartNs", maxBehindNs);
    }

    /** One producer on a fixed schedule. */
    private static final class Producer
    {
        private final Journal journal;
        private final Delta delta;
        private final StringBuilder key = new StringBuilder(32);
        private final byte[] value;
        private final SplittableRandom random;
        private final int keyCount;
        private final long intervalNs;
        long lastVersion;
        boolean dense = true;

        Producer(final Journal journal, final int keyCount, final int valueLength, final int rate, final long seed)
        {
            this.journal = journal;
            this.delta = journal.newDelta();
            this.value = new byte[valueLength];
            this.random = new SplittableRandom(seed);
            this.keyCount = keyCount;
            this.intervalNs = 1_000_000_000L / rate;
            this.lastVersion = journal.lastAppendedVersion();
        }

        /**
         * @return the largest delay of a delta's start behind its intended time (the producer's own lateness).
         */
        long run(final long durationNs, final Histogram call, final Histogram schedule)
        {
            long maxBehindNs = 0;
            long intended = System.nanoTime();
            final long end = intended + durationNs;
            while (intended < end)
            {
                long now;
                while ((now = System.nanoTime()) < intended)
                {
                    Thread.onSpinWait();
                }
                maxBehindNs = Math.max(maxBehindNs, now - intended);
                final int k = random.nextInt(keyCount);
                value[0] = (byte)k;
                value[1] = (byte)lastVersion;
                final long version = journal.append(delta.clear().put(StateWorkload.key(key, k), value));
                final long done = System.nanoTime();
                if (call != null)
                {
                    call.recordValueWithExpectedInterval(done - now, intervalNs);
                    schedule.recordValue(done - intended);
                }
                if (version != lastVersion + 1)
                {
                    dense = false;
                }
                lastVersion = version;
                intended += intervalNs;
            }
            return maxBehindNs;
        }
    }
}
