package dev.engram.harness;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;
import dev.engram.journal.SyncPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journal's runnable smoke workload (the README's first command until the demo exists): appends
 * workload-shaped deltas from two producers, syncs, reopens the journal and verifies every frame.
 */
public final class SmokeWorkload
{
    private SmokeWorkload()
    {
    }

    public static void run(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final long deltas = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        final Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("engram-smoke");
        System.out.printf("engram smoke: %,d deltas from 2 producers into %s%n", deltas, dir);
        final long startNs = System.nanoTime();
        final long lastVersion;
        try (Journal journal = Journal.open(new JournalContext().directory(dir).syncPolicy(SyncPolicy.PERIODIC)))
        {
            final Thread[] producers = new Thread[2];
            final AtomicLong maxVersion = new AtomicLong();
            for (int p = 0; p < producers.length; p++)
            {
                final long count = deltas / producers.length + (p == 0 ? deltas % producers.length : 0);
                producers[p] = new Thread(() -> produce(journal, count, maxVersion), "producer-" + p);
                producers[p].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            lastVersion = maxVersion.get();
            if (!journal.awaitSynced(lastVersion, 30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("not synced in 30 s: version=" + lastVersion);
            }
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("appended, written and synced %,d versions in %.2f s (%,.0f deltas/s), %d forces%n",
                lastVersion, seconds, lastVersion / seconds, journal.syncCount());
        }
        final long reopenNs = System.nanoTime();
        try (Journal journal = Journal.open(new JournalContext().directory(dir)); JournalReader reader = journal.newReader())
        {
            final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reopenNs);
            final long replayStart = System.nanoTime();
            final ReplayResult result = reader.replay(1, frame -> { });
            final double replayMs = (System.nanoTime() - replayStart) / 1e6;
            System.out.printf("reopened in %d ms at version %,d; replayed %,d verified frames in %.0f ms%n",
                openMs, journal.openReport().lastVersion(), result.framesDelivered(), replayMs);
            if (result.lastVersion() != lastVersion || result.framesDelivered() != lastVersion || result.tornTail())
            {
                throw new IllegalStateException("smoke check failed: expected versions 1.." + lastVersion + ", got " + result);
            }
        }
        System.out.println("OK: every version 1.." + lastVersion + " present once, in order, checksums valid");
    }

    private static void produce(final Journal journal, final long count, final AtomicLong maxVersion)
    {
        final Delta delta = journal.newDelta();
        final byte[] value = new byte[96];
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        long last = 0;
        for (long i = 0; i < count; i++)
        {
            random.nextBytes(value);
            delta.clear();
            if (i % 5 == 0)
            {
                delta.patch("population/" + (i & 63), random.nextInt(1 << 20), new org.agrona.concurrent.UnsafeBuffer(value), 0, 64);
            }
            else
            {
                delta.put("user/" + random.nextInt(100_000), value);
            }
            last = journal.append(delta);
        }
        maxVersion.accumulateAndGet(last, Math::max);
    }
}
