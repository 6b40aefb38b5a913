package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 2: {@code close()} while other threads read, over and over (open, read, close, reopen). Each cycle:
 * a {@code forEach("")} whose consumer takes ~1 ms per entry, threads in tight {@code get}, {@code forEach}
 * and {@code keys} loops, and a writer, then the main thread closes the engine at a random moment. Every
 * call must complete or throw the closed-engine {@link IllegalStateException}; an iteration that completes
 * must have seen every key exactly once.
 */
final class CloseWhileReading implements StressScenario
{
    private static final int KEYS = 400;
    private static final long SLOW_ENTRY_NS = 1_000_000;

    @Override
    public String name()
    {
        return "close-while-reading";
    }

    @Override
    public String describe()
    {
        return "close() while forEach (1 ms/entry consumer) and tight get/forEach/keys loops run; open/close cycles";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys keys = new StressKeys("base/", KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 3, keys);
        final SplittableRandom random = new SplittableRandom(run.seed() ^ 0x5eed);
        do
        {
            final EngramContext ctx = StressRun.context(20_000);
            final Engram engram = Engram.open(run.engineDirectory(), ctx);
            final Workers workers = new Workers(stats);
            try
            {
                run.attachAndFill(writer, engram);
                startReaders(run, engram, keys, workers);
                final Pacer pacer = new Pacer(10_000);
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
                    if (writer.commits() % 16 == 0 && !workers.isClosing() && !writer.publish(StressRun.APPLY_TIMEOUT_MS) &&
                        !workers.isClosing())
                    {
                        run.applyTimedOut("writer", writer.lastVersion());
                    }
                });
                run.runFor(50 + random.nextInt(600));
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

    private static void startReaders(final StressRun run, final Engram engram, final StressKeys keys, final Workers workers)
    {
        final StressStats stats = run.stats();
        final StressReader slow = new StressReader(run.issued(), stats, "slow-forEach");
        final IterationCheck slowCheck = new IterationCheck(keys, null, slow);
        workers.start(slow.thread(), () ->
        {
            slowCheck.begin("forEach(\"\") with a 1 ms consumer", "", true);
            engram.forEach("", (key, value) ->
            {
                workers.checkStop();
                slowCheck.onEntry(key, value);
                LockSupport.parkNanos(SLOW_ENTRY_NS);
            });
            slowCheck.end();
        });
        final StressReader getter = new StressReader(run.issued(), stats, "get");
        final SplittableRandom random = new SplittableRandom(run.seed() + 7);
        workers.start(getter.thread(), () -> getter.getLive(engram, keys, random.nextInt(keys.count())));
        final StressReader iterator = new StressReader(run.issued(), stats, "forEach");
        final IterationCheck iteration = new IterationCheck(keys, null, iterator);
        workers.start(iterator.thread(), () ->
        {
            iteration.begin("forEach(\"base/\")", "base/", true);
            engram.forEach("base/", iteration::onEntry);
            iteration.end();
        });
        final StressReader lister = new StressReader(run.issued(), stats, "keys");
        final IterationCheck listing = new IterationCheck(keys, null, lister);
        workers.start(lister.thread(), () ->
        {
            listing.begin("keys(\"\")", "", false);
            for (final String key : engram.keys(""))
            {
                listing.onEntry(key, null);
            }
            listing.end();
        });
    }
}
