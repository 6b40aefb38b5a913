package dev.engram.harness.recovery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What happens before every measured child JVM, so that runs on a shared machine are comparable:
 * <ol>
 *   <li>the files the child will open are read once ({@link #warm}): recovery after a process crash finds its
 *       files in the page cache, and some VMs page out file pages idle for a minute (DAMON reclaim);</li>
 *   <li>the bench waits until other processes use at most {@code maxOtherCores} for a second, for at most
 *       {@code maxWaitSeconds} ({@link #awaitQuiet}); the cores others actually used during each run are
 *       reported next to the results anyway.</li>
 * </ol>
 * Off by default (tests); {@link RecoveryBench} switches it on from its options.
 */
public final class MeasureGate
{
    private static volatile double maxOtherCores = Double.MAX_VALUE;
    private static volatile long maxWaitSeconds;
    private static volatile boolean warmFiles;

    private MeasureGate()
    {
    }

    public static void configure(final double maxOtherCores, final long maxWaitSeconds, final boolean warmFiles)
    {
        MeasureGate.maxOtherCores = maxOtherCores;
        MeasureGate.maxWaitSeconds = maxWaitSeconds;
        MeasureGate.warmFiles = warmFiles;
    }

    /**
     * Warm the given files or directory trees, then wait for a quiet machine.
     */
    public static void beforeMeasuredRun(final String name, final List<Path> paths) throws IOException, InterruptedException
    {
        if (warmFiles)
        {
            for (final Path path : paths)
            {
                warm(path);
            }
        }
        awaitQuiet(name);
    }

    /** Read every regular file under {@code root} once (into the page cache). */
    static long warm(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return 0;
        }
        long bytes = 0;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
                {
                    int n;
                    while ((n = channel.read(buffer.clear())) > 0)
                    {
                        bytes += n;
                    }
                }
            }
        }
        return bytes;
    }

    private static void awaitQuiet(final String name) throws InterruptedException
    {
        if (maxOtherCores == Double.MAX_VALUE)
        {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxWaitSeconds);
        boolean waited = false;
        while (true)
        {
            final ChildProcess.MachineCpu window = ChildProcess.MachineCpu.start();
            Thread.sleep(1000);
            final String others = window.otherCores("0");
            final double cores = Double.parseDouble(others);
            if (cores < 0 || cores <= maxOtherCores)
            {
                if (waited)
                {
                    log("%s: machine quiet again (others %s cores), measuring", name, others);
                }
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                log("%s: other processes still use %s cores after %d s of waiting: measuring anyway", name, others, maxWaitSeconds);
                return;
            }
            if (!waited)
            {
                log("%s: other processes use %s cores (> %.2f): waiting up to %d s for a quiet machine", name, others,
                    maxOtherCores, maxWaitSeconds);
                waited = true;
            }
        }
    }

    private static void log(final String format, final Object... args)
    {
        System.out.printf("[%s]   %s%n", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), String.format(format, args));
    }
}
