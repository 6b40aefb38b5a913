package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.util.SplittableRandom;

/**
 * Scenario 1: {@code get(k)} racing updates of the same key. One writer alternates a PUT of a small value
 * (it lies in the journal) and a PATCH of one region (the value is then materialised off-heap) on one hot key,
 * and now and then on three more; two readers {@code get} the hot key (mostly) in tight loops and check
 * every value. Each PUT → PATCH turn changes the entry's kind and address under its seqlock.
 */
final class GetRacingUpdates implements StressScenario
{
    private static final int KEYS = 4;
    private static final int PUBLISH_EVERY = 64;

    @Override
    public String name()
    {
        return "get-vs-update";
    }

    @Override
    public String describe()
    {
        return "get(k) in two tight loops while one writer alternates put(k) and patch(k) (one hot key, three more)";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys keys = new StressKeys("hot/", KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 2, 4, keys);
        final EngramContext ctx = StressRun.context(200_000);
        try (Engram engram = Engram.open(run.engineDirectory(), ctx))
        {
            run.attachAndFill(writer, engram);
            final Workers workers = new Workers(stats);
            final boolean[] patchNext = new boolean[KEYS];
            workers.start("writer", () ->
            {
                final SplittableRandom random = writer.random();
                final int key = random.nextInt(8) == 0 ? 1 + random.nextInt(KEYS - 1) : 0;
                writer.begin();
                if (patchNext[key])
                {
                    writer.patch(0, key);
                }
                else
                {
                    writer.put(0, key);
                }
                writer.commit();
                patchNext[key] = !patchNext[key];
                stats.ops.increment();
                if (writer.commits() % PUBLISH_EVERY == 0 && !writer.publish(StressRun.APPLY_TIMEOUT_MS))
                {
                    run.applyTimedOut("writer", writer.lastVersion());
                }
            });
            for (int r = 0; r < 2; r++)
            {
                final StressReader reader = new StressReader(run.issued(), stats, "reader-" + r);
                final SplittableRandom random = new SplittableRandom(run.seed() + 1 + r);
                workers.start(reader.thread(), () ->
                {
                    final int key = random.nextInt(4) == 0 ? random.nextInt(KEYS) : 0;
                    reader.getLive(engram, keys, key);
                });
            }
            run.runToDeadline();
            workers.stopAndJoin(StressRun.JOIN_TIMEOUT_SECONDS);
            if (!writer.publish(StressRun.APPLY_TIMEOUT_MS))
            {
                run.applyTimedOut("main", writer.lastVersion());
            }
            final String differences = writer.compareWithModel(0);
            if (differences != null)
            {
                stats.wrongValue("main", "after the writer stopped: " + differences);
            }
            run.countCheckpoints(engram);
        }
    }
}
