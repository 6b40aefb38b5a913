package dev.engram.bench;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.RecoveryReport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Recovery: one {@link Engram#open(Path, EngramContext)} per iteration ({@code SingleShotTime}, ms) of a
 * prepared directory holding a checkpoint of {@code stateMiB} MiB (1 KiB values under {@code user/<i>}) and a
 * journal tail of {@code tailDeltas} 128-byte PUTs over those keys. The score is {@code open()} until the
 * engine is ready, as a caller sees it.
 * <p>
 * <b>Warm JVM.</b> JMH runs every iteration in the same fork, so from the second iteration on the classes are
 * loaded and the replay code is JIT-compiled: this measures a warm-JVM open (e.g. a store reopened inside a
 * running service). The number after a crash, in a fresh JVM, is {@code ./engram bench recovery}. Even
 * {@code -f N -wi 0 -i 1} (the first open of each fork) is not a cold JVM: the set-up that built the state in the
 * same fork already loaded Chronicle's classes and compiled the write and apply paths.
 * <p>
 * The directory is prepared once per trial (untimed) and copied to a fresh working directory before every
 * iteration, so each open sees the same files, in the page cache:
 * <ul>
 *   <li>{@code image=crash}: copied while the preparing engine was still open and idle (everything written
 *       and applied), i.e. what {@code kill -9} at that moment leaves: no clean-shutdown mark;</li>
 *   <li>{@code image=clean}: copied after a clean {@link Engram#close()}.</li>
 * </ul>
 * After each open the tear-down checks the recovery report (checkpoint used, frames replayed, version
 * recovered) and a sample of values. Data under {@code /tmp/jmh-open-*}, deleted afterwards.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class EngramOpenBenchmark
{
    static final int VALUE_LENGTH = 1024;
    static final int TAIL_VALUE_LENGTH = AppendPayload.VALUE_LENGTH;
    static final String PREFIX = "user/";

    static
    {
        EngramSystemProperties.apply();
    }

    /** The prepared directory and the engine each iteration opens. */
    @State(Scope.Benchmark)
    public static class PreparedDirectory
    {
        public static final String IMAGE_CRASH = "crash";
        public static final String IMAGE_CLEAN = "clean";

        @Param({"256"})
        public int stateMiB;

        @Param({"1000000"})
        public long tailDeltas;

        @Param({IMAGE_CRASH, IMAGE_CLEAN})
        public String image;

        Engram opened;
        private Path base;
        private Path pristine;
        private Path work;
        private int keyCount;
        private long checkpointVersion;
        private long lastVersion;
        private int iteration;

        @Setup(Level.Trial)
        public void prepare()
        {
            EngramSystemProperties.apply();
            if (!IMAGE_CRASH.equals(image) && !IMAGE_CLEAN.equals(image))
            {
                throw new IllegalArgumentException("image must be " + IMAGE_CRASH + " or " + IMAGE_CLEAN + ": image=" + image);
            }
            if (stateMiB < 1 || tailDeltas < 0)
            {
                throw new IllegalArgumentException("stateMiB must be >= 1 and tailDeltas >= 0: stateMiB=" + stateMiB +
                    " tailDeltas=" + tailDeltas);
            }
            base = BenchFiles.newDirectory("jmh-open-");
            final Path live = base.resolve("prepare");
            pristine = base.resolve("pristine");
            keyCount = (int)(stateMiB * 1024L * 1024 / VALUE_LENGTH);
            final Engram engram = Engram.open(live, buildContext());
            try
            {
                BenchState.putAll(engram, PREFIX, keyCount, VALUE_LENGTH);
                engram.checkpoint();
                checkpointVersion = engram.checkpointVersion();
                lastVersion = BenchState.putRandom(engram, PREFIX, keyCount, TAIL_VALUE_LENGTH, tailDeltas, 42);
                if (engram.checkpointVersion() != checkpointVersion)
                {
                    throw new IllegalStateException("a checkpoint was taken during the tail: checkpointVersion=" +
                        engram.checkpointVersion() + ", expected " + checkpointVersion);
                }
                if (IMAGE_CRASH.equals(image))
                {
                    // everything is written and applied and nothing else runs: the files are what kill -9 would leave
                    BenchFiles.copyTree(live, pristine);
                }
            }
            finally
            {
                engram.close();
            }
            if (IMAGE_CLEAN.equals(image))
            {
                BenchFiles.copyTree(live, pristine);
            }
            BenchFiles.deleteTree(live);
        }

        private static EngramContext buildContext()
        {
            final EngramContext ctx = BenchState.checkpointOnDemandContext();
            ctx.journal().ringSlotLength(BenchState.BUILD_RING_SLOT_LENGTH);
            return ctx;
        }

        @Setup(Level.Iteration)
        public void copy()
        {
            work = base.resolve("open-" + iteration++);
            BenchFiles.copyTree(pristine, work);
        }

        @TearDown(Level.Iteration)
        public void check()
        {
            try
            {
                final RecoveryReport report = opened.recoveryReport();
                final boolean ok = report.checkpointVersion() == checkpointVersion && report.recoveredVersion() == lastVersion &&
                    report.framesReplayed() == lastVersion - checkpointVersion && report.rejected().isEmpty() &&
                    report.cleanShutdown() == IMAGE_CLEAN.equals(image);
                System.out.printf(Locale.ROOT, "%n[engram] open: ready %.1f ms (journal %.1f, checkpoint %.1f, replay %.1f), " +
                    "checkpointVersion=%d framesReplayed=%d recoveredVersion=%d cleanShutdown=%b indexRebuilt=%b replayPath=%s%n",
                    report.readyNs() / 1e6, report.journalOpenNs() / 1e6, report.checkpointOpenNs() / 1e6, report.replayNs() / 1e6,
                    report.checkpointVersion(), report.framesReplayed(), report.recoveredVersion(), report.cleanShutdown(),
                    report.indexRebuilt(), report.replayPath());
                if (!ok)
                {
                    throw new IllegalStateException("recovery report does not match the prepared directory (checkpointVersion=" +
                        checkpointVersion + " lastVersion=" + lastVersion + " image=" + image + "): " + report.describe());
                }
                for (int i = 0; i < keyCount; i += Math.max(1, keyCount / 1000))
                {
                    final byte[] value = opened.get(PREFIX + i);
                    if (value == null || (value.length != VALUE_LENGTH && value.length != TAIL_VALUE_LENGTH))
                    {
                        throw new IllegalStateException("recovered key " + PREFIX + i + " has value " +
                            (value == null ? "null" : value.length + " bytes"));
                    }
                }
                final byte[] first = BenchState.expectedValue(0, VALUE_LENGTH);
                final byte[] recovered = opened.get(PREFIX + 0);
                if (recovered.length == VALUE_LENGTH && !Arrays.equals(recovered, first))
                {
                    throw new IllegalStateException("recovered " + PREFIX + "0 differs from what was written");
                }
            }
            finally
            {
                opened.close();
                opened = null;
                BenchFiles.deleteTree(work);
            }
        }

        @TearDown(Level.Trial)
        public void delete()
        {
            BenchFiles.deleteTree(base);
        }
    }

    @Benchmark
    public Engram open(final PreparedDirectory prepared)
    {
        prepared.opened = Engram.open(prepared.work, BenchState.checkpointOnDemandContext());
        return prepared.opened;
    }
}
