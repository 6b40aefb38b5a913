package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Scenario 7: {@code close()} right after {@code open()}, while the checks that run after open (the chain's Merkle
 * roots, the snapshot index: catalog and key index opened, or rebuilt when a cycle deleted the index files) still run
 * and readers read through the chain those checks hold; then reopen at once, over and over. Close does not wait for
 * the checks: they stop at their next step and the last of close and the check to leave unmaps the chain. Every value
 * read must be right, every completed iteration must see every key once, every call must complete or throw the
 * closed-engine {@link IllegalStateException}, and nothing may crash (a read of an unmapped chain is a SIGSEGV).
 * Every few cycles the writer changes keys and checkpoints, so the chain (and its key index) grows.
 * {@code checksStoppedByClose} counts the index checks that close stopped (0 if close waited for the checks to finish,
 * as before issue 14).
 */
final class CloseDuringAfterOpenChecks implements StressScenario
{
    private static final int KEYS = 1000;

    @Override
    public String name()
    {
        return "close-during-after-open-checks";
    }

    @Override
    public String describe()
    {
        return "close() 0-2 ms after open while the Merkle and snapshot-index checks (sometimes a key index rebuild) run " +
            "and readers read; reopen at once; open/close cycles";
    }

    @Override
    public void run(final StressRun run) throws Exception
    {
        final StressStats stats = run.stats();
        final StressKeys keys = new StressKeys("chain/", KEYS);
        final StressWriter writer = new StressWriter(run.issued(), run.seed(), 1, 3, keys);
        final SplittableRandom random = new SplittableRandom(run.seed() ^ 0xc105e);
        try (Engram engram = Engram.open(run.engineDirectory(), context()))
        {
            run.attachAndFill(writer, engram);
            engram.checkpoint();
            run.attachAndFill(writer, engram);
            engram.checkpoint();
        }
        long cycle = 0;
        do
        {
            cycle++;
            if (random.nextInt(3) == 0)
            {
                deleteKeyIndexes(run.engineDirectory());   // the check after open rebuilds the head's
            }
            final Engram engram = Engram.open(run.engineDirectory(), context());
            final Workers workers = new Workers(stats);
            try
            {
                startReaders(run, engram, keys, workers);
                if (cycle % 5 == 0)
                {
                    run.attachAndFill(writer, engram);
                    engram.checkpoint();
                }
                LockSupport.parkNanos(random.nextInt(2_000_000));   // 0-2 ms after open: the checks usually still run
                run.countCheckpoints(engram);
            }
            finally
            {
                workers.closing();
                engram.close();
                workers.stopAndJoin(StressRun.JOIN_TIMEOUT_SECONDS);
                // the check ends at its next step (or when a Chronicle Map call returns); it said so if close stopped it
                final String index = engram.snapshotIndexCheck().get(StressRun.JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .description();
                if (index.contains("the store closed first"))
                {
                    stats.checksStoppedByClose.increment();
                }
            }
            stats.cycles.increment();
        }
        // on a loaded machine the bounded run may get one cycle only: go on (at most 20) until a close met a check
        while (run.remainingMs() > 1_000 || (stats.checksStoppedByClose.sum() == 0 && cycle < 20));
    }

    private static EngramContext context()
    {
        final EngramContext ctx = StressRun.context(1_000_000);
        ctx.state().snapshotIndex(true).keyIndexMinChainLength(1).maxChainLength(64);   // every chain has a key index
        return ctx;
    }

    private static void deleteKeyIndexes(final Path directory) throws IOException
    {
        final Path checkpoints = directory.resolve("checkpoints");
        if (!Files.isDirectory(checkpoints))
        {
            return;
        }
        try (Stream<Path> files = Files.list(checkpoints))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().startsWith("keys-")).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void startReaders(final StressRun run, final Engram engram, final StressKeys keys, final Workers workers)
    {
        final StressStats stats = run.stats();
        for (int t = 0; t < 2; t++)
        {
            final StressReader getter = new StressReader(run.issued(), stats, "get-" + t);
            final SplittableRandom random = new SplittableRandom(run.seed() + 11 + t);
            workers.start(getter.thread(), () -> getter.getLive(engram, keys, random.nextInt(keys.count())));
        }
        final StressReader iterator = new StressReader(run.issued(), stats, "forEach");
        final IterationCheck iteration = new IterationCheck(keys, null, iterator);
        workers.start(iterator.thread(), () ->
        {
            iteration.begin("forEach(\"chain/\")", "chain/", true);
            engram.forEach("chain/", iteration::onEntry);
            iteration.end();
        });
    }
}
