package dev.engram.harness.openclose;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.internal.EngineInternals;
import dev.engram.harness.recovery.ChildOutput;
import dev.engram.recovery.StateStore;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM of {@link OpenCloseBench}, one job per JVM so every measured open is a cold start:
 * <ul>
 *   <li>{@code build DIR KEYS VALUE CHAIN}: KEYS keys of VALUE bytes, a full checkpoint, then CHAIN-1 delta
 *   checkpoints of 1,000 changed keys each, closed cleanly ({@code @built});</li>
 *   <li>{@code reopen DIR}: open, close at once, then open and close again in the same JVM ({@code @measured
 *   openMs closeMs reopenMs reclosedMs ... indexDoneAtClose chain});</li>
 *   <li>{@code reopen-queue DIR}: the same, but close once the journal's queue (opened in the background after
 *   ready) is open, so close waits for nothing but what the checks still running hold ({@code queueOpenAfterMs}
 *   says when);</li>
 *   <li>{@code reopen-bounded DIR}: open, close at once with {@code closeJournalWaitMs(0)}, wait for {@code closed()}
 *   ({@code @measured openMs closeMs releasedAfterMs});</li>
 *   <li>{@code new DIR}: open a directory that does not exist yet, close ({@code @measured openMs closeMs}).</li>
 * </ul>
 */
public final class OpenCloseChild
{
    private static final int KEYS_PER_DELTA = 64;

    private OpenCloseChild()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            switch (args[0])
            {
                case "build" -> build(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "reopen" -> reopen(Path.of(args[1]), false);
                case "reopen-queue" -> reopen(Path.of(args[1]), true);
                case "reopen-bounded" -> reopenBounded(Path.of(args[1]));
                case "new" -> openNew(Path.of(args[1]));
                default -> throw new IllegalArgumentException("unknown job: " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    private static void build(final Path dir, final int keys, final int valueLength, final int chainLength)
    {
        final byte[] value = new byte[valueLength];
        final EngramContext ctx = new EngramContext().checkpointEveryFrames(Long.MAX_VALUE / 4)
            .checkpointIntervalMs(TimeUnit.DAYS.toMillis(1));
        try (Engram engram = Engram.open(dir, ctx))
        {
            long last = 0;
            for (int i = 0; i < keys; i += KEYS_PER_DELTA)
            {
                final var delta = engram.delta();
                for (int k = i; k < Math.min(keys, i + KEYS_PER_DELTA); k++)
                {
                    value[0] = (byte)k;
                    value[valueLength - 1] = (byte)(k >>> 8);
                    delta.put("user/" + k, value);
                }
                last = delta.commit();
            }
            engram.awaitWritten(last, 10, TimeUnit.MINUTES);
            engram.checkpoint();
            for (int c = 1; c < chainLength; c++)
            {
                for (int k = 0; k < 1_000; k += KEYS_PER_DELTA)
                {
                    final var delta = engram.delta();
                    for (int j = k; j < k + KEYS_PER_DELTA; j++)
                    {
                        value[1] = (byte)c;
                        delta.put("user/" + ((j * 7919L + c) % keys), value);
                    }
                    last = delta.commit();
                }
                engram.awaitWritten(last, 10, TimeUnit.MINUTES);
                engram.checkpoint();
            }
            ChildOutput.record("built", "keys", keys, "version", engram.writtenVersion(), "checkpoints", engram.checkpointCount());
        }
    }

    private static void reopen(final Path dir, final boolean waitForQueue)
    {
        final long openStart = System.nanoTime();
        final Engram engram = Engram.open(dir);
        long opened = System.nanoTime();
        final StateStore store = EngineInternals.store(engram);
        long queueMs = -1;
        if (waitForQueue)
        {
            while (!store.journal().isQueueOpen())
            {
                LockSupport.parkNanos(100_000);
            }
            queueMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
            opened = System.nanoTime();
        }
        final boolean merkleDone = store.merkleRootCheck().isDone();
        final boolean indexDone = engram.snapshotIndexCheck().isDone();
        final int chain = engram.recoveryReport().chainLength();
        engram.close();
        final long closed = System.nanoTime();
        final Engram again = Engram.open(dir);
        final long reopened = System.nanoTime();
        again.close();
        final long reclosed = System.nanoTime();
        ChildOutput.record("measured", "openMs", ms(opened - openStart), "closeMs", ms(closed - opened),
            "reopenMs", ms(reopened - closed), "reclosedMs", ms(reclosed - reopened),
            "queueOpenAfterMs", queueMs, "merkleDoneAtClose", merkleDone, "indexDoneAtClose", indexDone, "chain", chain);
    }

    /** Open, close at once with {@code closeJournalWaitMs(0)}: close returns, the journal finishes by itself. */
    private static void reopenBounded(final Path dir) throws Exception
    {
        final long openStart = System.nanoTime();
        final Engram engram = Engram.open(dir, new EngramContext().closeJournalWaitMs(0));
        final long opened = System.nanoTime();
        engram.close();
        final long closed = System.nanoTime();
        engram.closed().get(10, TimeUnit.MINUTES);
        final long released = System.nanoTime();
        ChildOutput.record("measured", "openMs", ms(opened - openStart), "closeMs", ms(closed - opened),
            "releasedAfterMs", ms(released - opened));
    }

    private static void openNew(final Path dir)
    {
        final long openStart = System.nanoTime();
        final Engram engram = Engram.open(dir);
        final long opened = System.nanoTime();
        engram.close();
        final long closed = System.nanoTime();
        ChildOutput.record("measured", "openMs", ms(opened - openStart), "closeMs", ms(closed - opened));
    }

    private static String ms(final long ns)
    {
        return String.format("%.1f", ns / 1e6);
    }
}
