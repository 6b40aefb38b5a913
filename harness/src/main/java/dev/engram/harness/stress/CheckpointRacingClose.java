package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.util.SplittableRandom;

/**
 * Scenario 3: {@code checkpoint()} racing {@code close()}. Each cycle: a writer PUTs and PATCHes, two threads
 * call {@code checkpoint()} back to back (background checkpoints run too), a reader checks values; then the
 * main thread closes the engine at a random moment, and reopens it for the next cycle.
 */
final class CheckpointRacingClose implements StressScenario
{
    private static final int KEYS = 300;

    @Override
    public String name()
    {
        return "checkpoint-vs-close";
    }

    @Override
    public String describe()
    {
        return "checkpoint() in two loops (and background checkpoints) while writes run, then close(); open/close cycles";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys keys = new StressKeys("base/", KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 4, keys);
        final SplittableRandom random = new SplittableRandom(run.seed() ^ 0xc4ec);
        do
        {
            final EngramContext ctx = StressRun.context(3_000);
            final Engram engram = Engram.open(run.engineDirectory(), ctx);
            final Workers workers = new Workers(stats);
            try
            {
                run.attachAndFill(writer, engram);
                final Pacer pacer = new Pacer(20_000);
                workers.start("writer", () ->
                {
                    pacer.pace();
                    writer.begin();
                    for (int op = 0, ops = 1 + writer.random().nextInt(3); op < ops; op++)
                    {
                        final int key = writer.random().nextInt(KEYS);
                        if (writer.random().nextBoolean())
                        {
                            writer.put(0, key);
                        }
                        else
                        {
                            writer.patch(0, key);
                        }
                    }
                    writer.commit();
                    stats.ops.increment();
                    if (writer.commits() % 16 == 0 && !workers.isClosing() && !writer.publish(StressRun.APPLY_TIMEOUT_MS) &&
                        !workers.isClosing())
                    {
                        run.applyTimedOut("writer", writer.lastVersion());
                    }
                });
                for (int t = 0; t < 2; t++)
                {
                    workers.start("checkpoint-" + t, () ->
                    {
                        engram.checkpoint();
                        stats.ops.increment();
                    });
                }
                final StressReader reader = new StressReader(run.issued(), stats, "get");
                final SplittableRandom readerRandom = new SplittableRandom(run.seed() + 3);
                workers.start(reader.thread(), () -> reader.getLive(engram, keys, readerRandom.nextInt(KEYS)));
                run.runFor(100 + random.nextInt(700));
                run.countCheckpoints(engram);
            }
            finally
            {
                workers.closing();
                engram.close();
                workers.stopAndJoin(StressRun.JOIN_TIMEOUT_SECONDS);
            }
            stats.cycles.increment();
        }
        while (run.remainingMs() > 1_000);
    }
}
