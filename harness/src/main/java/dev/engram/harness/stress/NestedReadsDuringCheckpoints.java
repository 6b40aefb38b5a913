package dev.engram.harness.stress;

import dev.engram.engine.EngramSnapshot;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.util.SplittableRandom;

/**
 * Scenario 4: reads nested inside a {@code forEach} consumer while checkpoints are built back to back (a
 * small frame threshold and a thread calling {@code checkpoint()} in a loop), so state generations are
 * swapped and released under the iteration: {@code get} inside {@code forEach}, {@code forEach} inside
 * {@code forEach}, {@code stateAt} inside {@code forEach}. Every value and every completed iteration is
 * checked.
 */
final class NestedReadsDuringCheckpoints implements StressScenario
{
    private static final int KEYS = 1_000;
    private static final int NESTED_FOREACH_EVERY = 100;
    private static final int STATE_AT_EVERY = 250;

    @Override
    public String name()
    {
        return "nested-reads";
    }

    @Override
    public String describe()
    {
        return "get / forEach / stateAt inside a forEach consumer while checkpoints are built back to back";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys keys = new StressKeys("base/", KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 3, keys);
        final EngramContext ctx = StressRun.context(1_000).historyVersions(Long.MAX_VALUE / 4);
        try (Engram engram = Engram.open(run.engineDirectory(), ctx))
        {
            run.attachAndFill(writer, engram);
            final Workers workers = new Workers(stats);
            final Pacer pacer = new Pacer(20_000);
            workers.start("writer", () ->
            {
                pacer.pace();
                final int key = writer.random().nextInt(KEYS);
                writer.begin();
                if (writer.random().nextBoolean())
                {
                    writer.put(0, key);
                }
                else
                {
                    writer.patch(0, key);
                }
                writer.commit();
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
            for (int r = 0; r < 2; r++)
            {
                startOuterReader(run, engram, keys, workers, r);
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

    private static void startOuterReader(final StressRun run, final Engram engram, final StressKeys keys, final Workers workers,
        final int index)
    {
        final StressReader reader = new StressReader(run.issued(), run.stats(), "outer-forEach-" + index);
        final IterationCheck outer = new IterationCheck(keys, null, reader);
        final IterationCheck nested = new IterationCheck(keys, null, reader);
        final IterationCheck inSnapshot = new IterationCheck(keys, null, reader);
        final SplittableRandom random = new SplittableRandom(run.seed() + 11 + index);
        final long[] entries = {0};
        workers.start(reader.thread(), () ->
        {
            outer.begin("forEach(\"\") with nested reads", "", true);
            engram.forEach("", (key, value) ->
            {
                workers.checkStop();
                outer.onEntry(key, value);
                reader.getLive(engram, keys, random.nextInt(KEYS));
                entries[0]++;
                if (entries[0] % NESTED_FOREACH_EVERY == 0)
                {
                    nested.begin("forEach(\"base/000\") inside forEach", "base/000", true);
                    engram.forEach("base/000", nested::onEntry);
                    nested.end();
                }
                if (entries[0] % STATE_AT_EVERY == 0)
                {
                    readSnapshot(engram, keys, reader, inSnapshot, random);
                }
            });
            outer.end();
        });
    }

    /**
     * {@code stateAt(appliedVersion())}: floors read before the version was, so the snapshot must hold at
     * least those stamps; a prefix of it iterated exactly once.
     */
    static void readSnapshot(final Engram engram, final StressKeys keys, final StressReader reader, final IterationCheck check,
        final SplittableRandom random)
    {
        final int key = random.nextInt(keys.count());
        final long floor = keys.floor(key);
        check.begin("stateAt(applied).forEach(\"base/001\")", "base/001", true);
        try (EngramSnapshot snapshot = engram.stateAt(engram.appliedVersion()))
        {
            final byte[] value = snapshot.get(keys.name(key));
            reader.stats().reads.increment();
            if (value == null)
            {
                reader.stats().missed(reader.thread(), 1, "stateAt(" + snapshot.version() + ").get('" + keys.name(key) +
                    "') returned null; the key was written before that version and is never deleted");
            }
            else
            {
                reader.check(keys.name(key), keys.hash(key), value, floor);
            }
            snapshot.forEach("base/001", (name, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                check.onEntry(name, bytes);
            });
            check.end();
        }
    }
}
