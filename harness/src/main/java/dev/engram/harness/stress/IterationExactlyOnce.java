package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

/**
 * Scenario 5: iteration correctness across checkpoint swaps. 2,000 keys are written up front and never
 * deleted; a writer updates random ones of them at ~20k ops/s (PUT, PATCH, and deltas of several keys) and
 * creates and deletes keys of another prefix, while checkpoints are built back to back. Readers run
 * {@code forEach("")}, {@code forEach("base/")} and {@code keys("")}: each must see every one of the 2,000
 * keys exactly once (a churn key at most once), with values no older than what was applied before it began.
 */
final class IterationExactlyOnce implements StressScenario
{
    private static final int BASE_KEYS = 2_000;
    private static final int CHURN_KEYS = 500;

    @Override
    public String name()
    {
        return "iteration-exactly-once";
    }

    @Override
    public String describe()
    {
        return "forEach/keys over 2,000 never-deleted keys must see each exactly once while a writer updates them " +
            "and checkpoints are built back to back";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys base = new StressKeys("base/", BASE_KEYS);
        final StressKeys churn = new StressKeys("tmp/", CHURN_KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 3, base, churn);
        final EngramContext ctx = StressRun.context(2_000);
        try (Engram engram = Engram.open(run.engineDirectory(), ctx))
        {
            run.attachAndFill(writer, engram);
            final Workers workers = new Workers(stats);
            final Pacer pacer = new Pacer(20_000);
            workers.start("writer", () ->
            {
                pacer.pace();
                writeOne(writer);
                stats.ops.increment();
                if (writer.commits() % 16 == 0 && !writer.publish(StressRun.APPLY_TIMEOUT_MS))
                {
                    run.applyTimedOut("writer", writer.lastVersion());
                }
            });
            workers.start("checkpoint", () ->
            {
                engram.checkpoint();
                stats.ops.increment();
            });
            startIterator(run, engram, base, churn, workers, "forEach-all", "");
            startIterator(run, engram, base, churn, workers, "forEach-base", "base/");
            final StressReader lister = new StressReader(run.issued(), stats, "keys");
            final IterationCheck listing = new IterationCheck(base, churn, lister);
            workers.start(lister.thread(), () ->
            {
                listing.begin("keys(\"\")", "", false);
                for (final String key : engram.keys(""))
                {
                    listing.onEntry(key, null);
                }
                listing.end();
            });
            run.runToDeadline();
            workers.stopAndJoin(StressRun.JOIN_TIMEOUT_SECONDS);
            if (!writer.publish(StressRun.APPLY_TIMEOUT_MS))
            {
                run.applyTimedOut("main", writer.lastVersion());
            }
            for (int set = 0; set < 2; set++)
            {
                final String differences = writer.compareWithModel(set);
                if (differences != null)
                {
                    stats.wrongValue("main", "after the writer stopped: " + differences);
                }
            }
            run.countCheckpoints(engram);
        }
    }

    /**
     * One delta: mostly a PUT or PATCH of a base key, sometimes a few keys at once, sometimes a churn key created
     * or deleted (set 0: the live keys, set 1: the churn keys).
     */
    static void writeOne(final StressWriter writer)
    {
        final int base = writer.keyCount(0);
        final int churn = writer.keyCount(1);
        final int dice = writer.random().nextInt(10);
        writer.begin();
        if (dice < 4)
        {
            writer.put(0, writer.random().nextInt(base));
        }
        else if (dice < 8)
        {
            writer.patch(0, writer.random().nextInt(base));
        }
        else if (dice < 9)
        {
            writer.put(0, writer.random().nextInt(base)).patch(0, writer.random().nextInt(base))
                .toggle(1, writer.random().nextInt(churn));
        }
        else
        {
            writer.toggle(1, writer.random().nextInt(churn));
        }
        writer.commit();
    }

    private static void startIterator(final StressRun run, final Engram engram, final StressKeys base, final StressKeys churn,
        final Workers workers, final String name, final String prefix)
    {
        final StressReader reader = new StressReader(run.issued(), run.stats(), name);
        final IterationCheck check = new IterationCheck(base, churn, reader);
        final String what = "forEach(\"" + prefix + "\")";
        workers.start(name, () ->
        {
            check.begin(what, prefix, true);
            engram.forEach(prefix, (key, value) ->
            {
                workers.checkStop();
                check.onEntry(key, value);
            });
            check.end();
        });
    }
}
