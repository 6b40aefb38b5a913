package dev.engram.harness.stress;

import dev.engram.engine.EngramSnapshot;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.MigrationReport;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateDiff;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 6: everything at once, in open/close cycles. A writer (PUT, PATCH, multi-key deltas, creates and
 * deletes), back-to-back checkpoints (compressed), {@code get}, {@code forEach} with a {@code get} per entry, a
 * slow {@code forEach}, {@code keys}, and a history thread cycling through {@code stateAt}, {@code diff},
 * {@code history} and {@code migrate}; each cycle ends with {@code close()} while all of them run. Every other
 * cycle keeps the snapshot index (Chronicle Map catalog and key index) too.
 */
final class MixedInterleaving implements StressScenario
{
    private static final int BASE_KEYS = 1_000;
    private static final int CHURN_KEYS = 200;
    private static final long SLOW_ENTRY_NS = 200_000;

    @Override
    public String name()
    {
        return "mixed";
    }

    @Override
    public String describe()
    {
        return "writes, checkpoints, get, nested and slow forEach, keys, stateAt, diff, history, migrate, then close(); " +
            "open/close cycles";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys base = new StressKeys("base/", BASE_KEYS);
        final StressKeys churn = new StressKeys("tmp/", CHURN_KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 3, base, churn);
        final SplittableRandom random = new SplittableRandom(run.seed() ^ 0x313d);
        int cycle = 0;
        do
        {
            final EngramContext ctx = StressRun.context(3_000).compress(true).historyVersions(Long.MAX_VALUE / 4);
            ctx.state().snapshotIndex(cycle % 2 == 1);   // its upkeep slows checkpoints ~5x on two cores: every other cycle
            final Engram engram = Engram.open(run.engineDirectory(), ctx);
            final Workers workers = new Workers(stats);
            try
            {
                run.attachAndFill(writer, engram);
                final long readyVersion = writer.lastVersion();
                final Pacer pacer = new Pacer(15_000);
                workers.start("writer", () ->
                {
                    pacer.pace();
                    IterationExactlyOnce.writeOne(writer);
                    stats.ops.increment();
                    if (writer.commits() % 16 == 0 && !workers.isClosing() && !writer.publish(StressRun.APPLY_TIMEOUT_MS) &&
                        !workers.isClosing())
                    {
                        run.applyTimedOut("writer", writer.lastVersion());
                    }
                });
                workers.start("checkpoint", () ->
                {
                    engram.checkpoint();
                    stats.ops.increment();
                });
                startReaders(run, engram, base, churn, workers, cycle);
                startHistory(run, engram, base, churn, workers, readyVersion, cycle);
                run.runFor(1_500 + random.nextInt(2_500));
                run.countCheckpoints(engram);
            }
            finally
            {
                workers.closing();
                engram.close();
                workers.stopAndJoin(StressRun.JOIN_TIMEOUT_SECONDS);
            }
            stats.cycles.increment();
            cycle++;
        }
        while (run.remainingMs() > 2_000);
    }

    private static void startReaders(final StressRun run, final Engram engram, final StressKeys base, final StressKeys churn,
        final Workers workers, final int cycle)
    {
        final StressStats stats = run.stats();
        final StressReader getter = new StressReader(run.issued(), stats, "get");
        final SplittableRandom getRandom = new SplittableRandom(run.seed() + 100 + cycle);
        workers.start(getter.thread(), () ->
        {
            getter.getLive(engram, base, getRandom.nextInt(BASE_KEYS));
            getter.getMaybe(engram, churn, getRandom.nextInt(CHURN_KEYS));
        });

        final StressReader iterator = new StressReader(run.issued(), stats, "forEach-nested-get");
        final IterationCheck iteration = new IterationCheck(base, churn, iterator);
        final SplittableRandom iterateRandom = new SplittableRandom(run.seed() + 200 + cycle);
        workers.start(iterator.thread(), () ->
        {
            iteration.begin("forEach(\"\") with a get per entry", "", true);
            engram.forEach("", (key, value) ->
            {
                workers.checkStop();
                iteration.onEntry(key, value);
                iterator.getLive(engram, base, iterateRandom.nextInt(BASE_KEYS));
            });
            iteration.end();
        });

        final StressReader slow = new StressReader(run.issued(), stats, "slow-forEach");
        final IterationCheck slowCheck = new IterationCheck(base, churn, slow);
        workers.start(slow.thread(), () ->
        {
            slowCheck.begin("forEach(\"base/00\") with a slow consumer", "base/00", true);
            engram.forEach("base/00", (key, value) ->
            {
                workers.checkStop();
                slowCheck.onEntry(key, value);
                LockSupport.parkNanos(SLOW_ENTRY_NS);
            });
            slowCheck.end();
        });

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
    }

    private static void startHistory(final StressRun run, final Engram engram, final StressKeys base, final StressKeys churn,
        final Workers workers, final long readyVersion, final int cycle)
    {
        final StressStats stats = run.stats();
        final StressReader reader = new StressReader(run.issued(), stats, "history");
        final IterationCheck inSnapshot = new IterationCheck(base, churn, reader);
        final SplittableRandom random = new SplittableRandom(run.seed() + 300 + cycle);
        final long[] step = {0};
        workers.start(reader.thread(), () ->
        {
            final long applied = engram.appliedVersion();
            switch ((int)(step[0]++ % 8))
            {
                case 0, 4 -> NestedReadsDuringCheckpoints.readSnapshot(engram, base, reader, inSnapshot, random);
                case 1, 5 -> readPastSnapshot(engram, base, reader, inSnapshot, readyVersion + random.nextLong(applied - readyVersion + 1));
                case 2, 6 -> checkDiff(engram, base, churn, reader, readyVersion + random.nextLong(applied - readyVersion + 1),
                    readyVersion + random.nextLong(applied - readyVersion + 1));
                case 3 -> checkHistory(engram, base, reader, random.nextInt(BASE_KEYS));
                default -> checkMigrate(engram, reader);
            }
            stats.ops.increment();
        });
    }

    /**
     * A past version (all base keys exist from {@code readyVersion} on): a prefix iterated exactly once, values
     * well formed (no floor: it is the past).
     */
    private static void readPastSnapshot(final Engram engram, final StressKeys base, final StressReader reader,
        final IterationCheck check, final long version)
    {
        try (EngramSnapshot snapshot = engram.stateAt(version))
        {
            check.begin("stateAt(" + version + ").forEach(\"base/002\")", "base/002", false);
            snapshot.forEach("base/002", (name, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                check.onEntry(name, bytes);
            });
            check.end();
        }
    }

    private static void checkDiff(final Engram engram, final StressKeys base, final StressKeys churn, final StressReader reader,
        final long from, final long to)
    {
        final StateDiff diff = engram.diff(from, to);
        reader.stats().reads.add(diff.keysCompared());
        if (diff.fromVersion() != from || diff.toVersion() != to)
        {
            reader.stats().wrongValue(reader.thread(), "diff(" + from + ", " + to + ") answered for (" + diff.fromVersion() +
                ", " + diff.toVersion() + ")");
        }
        checkDiffKeys(base, churn, reader, "added", diff.added(), from, to, false);
        checkDiffKeys(base, churn, reader, "removed", diff.removed(), from, to, false);
        checkDiffKeys(base, churn, reader, "changed", diff.changed(), from, to, true);
    }

    private static void checkDiffKeys(final StressKeys base, final StressKeys churn, final StressReader reader, final String list,
        final List<String> keys, final long from, final long to, final boolean baseAllowed)
    {
        for (final String key : keys)
        {
            final boolean isBase = base.indexOf(key) >= 0;
            if ((isBase && !baseAllowed) || (!isBase && churn.indexOf(key) < 0))
            {
                reader.stats().wrongValue(reader.thread(), "diff(" + from + ", " + to + ") lists '" + key + "' as " + list +
                    (isBase ? ", but base keys exist at both versions" : ", a key no writer wrote"));
                return;
            }
        }
        reader.stats().validations.increment();
    }

    private static void checkHistory(final Engram engram, final StressKeys base, final StressReader reader, final int key)
    {
        final KeyHistory history = engram.history(base.name(key));
        long previous = 0;
        for (final KeyHistory.Change change : history.changes())
        {
            if (change.version() < previous || change.version() < 1 || change.op() == null)
            {
                reader.stats().wrongValue(reader.thread(), "history('" + base.name(key) + "') is not in version order or " +
                    "has a bad entry: " + change + " after version " + previous);
                return;
            }
            previous = change.version();
        }
        if (!base.name(key).equals(history.key()) || history.changes().isEmpty())
        {
            reader.stats().wrongValue(reader.thread(), "history('" + base.name(key) + "') answered for '" + history.key() +
                "' with " + history.changes().size() + " changes; the key was written in this cycle and history is kept");
            return;
        }
        reader.stats().reads.add(history.changes().size());
        reader.stats().validations.increment();
    }

    private static void checkMigrate(final Engram engram, final StressReader reader)
    {
        final MigrationReport report = engram.migrate(scanned -> { });
        reader.stats().reads.add(report.scanned());
        if (report.migrated() != 0 || report.scanned() < BASE_KEYS)
        {
            reader.stats().wrongValue(reader.thread(), "migrate() over raw values only: " + report + " (expected 0 migrated, " +
                ">= " + BASE_KEYS + " scanned)");
            return;
        }
        reader.stats().validations.increment();
    }
}
