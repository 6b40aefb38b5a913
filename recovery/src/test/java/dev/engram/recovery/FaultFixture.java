package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pristine stores the fault-injection suite damages: one seeded workload written in two sessions, with a test roll
 * cycle of one second on a clock the fixture moves (so every few hundred versions go to a new journal cycle file),
 * small Chronicle blocks (so copies are cheap), checkpoints that make delta chains and a consolidation, the snapshot
 * index (Chronicle Map catalog and key index files) and a tag. Three directories come out of it:
 * <ul>
 *     <li>{@code older}: the first session, closed cleanly at {@link #OLDER_VERSION} (a source of older copies of the
 *     same files: its newest cycle file is a prefix of the same file in the later stores);</li>
 *     <li>{@code crash}: a copy taken while the second session was open, after {@link #LAST_VERSION} was written: what
 *     a crash leaves (no clean-shutdown record, lock files, unsynced cycle files);</li>
 *     <li>{@code clean}: the second session closed cleanly at {@link #LAST_VERSION}.</li>
 *     <li>{@code bridge}: the crash copy with the journal's bridge file holding versions up to {@link #BRIDGE_VERSION}:
 *     what a crash leaves when the next session's background open wrote them while its queue was still opening.</li>
 * </ul>
 */
final class FaultFixture
{
    static final SeededWorkload WORKLOAD = new SeededWorkload(1212, 4096);
    static final int PER_CYCLE = 250;
    /** The first session: cycles 1 and 2 whole, cycle 3 half. */
    static final long OLDER_VERSION = 2 * PER_CYCLE + PER_CYCLE / 2;
    /** The second session: the rest of cycle 3, cycles 4 and 5, and half of cycle 6 (the tail after the last checkpoint). */
    static final long LAST_VERSION = 5L * PER_CYCLE + PER_CYCLE / 2;
    /** The bridge store: versions after {@link #LAST_VERSION} written to the bridge file. */
    static final long BRIDGE_VERSION = LAST_VERSION + 40;
    static final String TAG = "fault-tag";
    static final long TAG_VERSION = 400;

    final Path root;
    final Path older;
    final Path crash;
    final Path clean;
    final Path bridge;
    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    private final Map<Long, Map<String, byte[]>> models = new HashMap<>();

    private FaultFixture(final Path root)
    {
        this.root = root;
        this.older = root.resolve("older");
        this.crash = root.resolve("crash");
        this.clean = root.resolve("clean");
        this.bridge = root.resolve("bridge");
    }

    /**
     * The context every store of the suite is opened with (the same for the damaged copies; only the directory and the
     * loss opt-in change). The clock stays where the fixture left it, so a reopened journal writes into its last cycle.
     */
    static StateContext context(final Path dir, final long clockMs)
    {
        // large values (4 KiB) are paged in 1 KiB pages: every checkpoint case also damages page blocks and page maps,
        // and the deltas name pages kept in the files under them
        return new StateContext().directory(dir).background(false).checkpointIntervalMs(0).maxChainLength(3)
            .pageLength(1024).pagedValueMinLength(4096)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).keepOlderChains(5).historyVersions(1_000_000)
            .journal(new JournalContext().rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(() -> clockMs)
                .maxDeltaLength(64 * 1024).chronicleBlockSize(1L << 20));
    }

    long clockMs()
    {
        return clockMs.get();
    }

    StateContext context(final Path dir)
    {
        return context(dir, clockMs.get());
    }

    static FaultFixture build(final Path root)
    {
        final FaultFixture fixture = new FaultFixture(root);
        fixture.write();
        return fixture;
    }

    private StateContext liveContext(final Path dir)
    {
        final StateContext ctx = context(dir, 0);
        ctx.journal().epochMsClock(clockMs::get);
        return ctx;
    }

    private void write()
    {
        final Path live = root.resolve("live");
        try (StateStore store = StateStore.open(liveContext(live)))
        {
            append(store, 1, PER_CYCLE);
            store.checkpoint();                                     // full
            roll();
            append(store, PER_CYCLE + 1, 2L * PER_CYCLE);
            store.checkpoint();                                     // delta on it
            store.tag(TAG, TAG_VERSION);
            roll();
            append(store, 2L * PER_CYCLE + 1, OLDER_VERSION);
        }
        copyTree(live, older);
        try (StateStore store = StateStore.open(liveContext(live)))
        {
            append(store, OLDER_VERSION + 1, 3L * PER_CYCLE);        // same cycle file as the older copy's newest
            store.checkpoint();                                     // delta: the chain is 3 long
            roll();
            append(store, 3L * PER_CYCLE + 1, 4L * PER_CYCLE);
            store.checkpoint();                                     // a new full checkpoint (consolidation)
            roll();
            append(store, 4L * PER_CYCLE + 1, 5L * PER_CYCLE);
            store.checkpoint();                                     // delta on the new full one
            roll();
            append(store, 5L * PER_CYCLE + 1, LAST_VERSION);       // the tail the recovery replays
            awaitManifestListsEveryCycle(live.resolve("journal"));
            copyTree(live, crash);                                  // as a crash leaves it: the store still open
        }
        copyTree(live, clean);
        writeBridge();
    }

    /**
     * The crash copy as a later session leaves it when it dies while its background open's queue is opening: the
     * versions it wrote meanwhile are only in the bridge file.
     */
    private void writeBridge()
    {
        final Path scratch = root.resolve("bridge-scratch");
        copyTree(crash, scratch);
        final JournalContext journal = context(scratch).journal().directory(scratch.resolve("journal"));
        final byte[] bytes = dev.engram.journal.BridgeFixture.bridgeBytes(journal, LAST_VERSION, BRIDGE_VERSION, WORKLOAD::fill);
        copyTree(crash, bridge);
        try
        {
            dev.engram.journal.BridgeFixture.writeCrashState(bridge.resolve("journal"), bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The journal lists a new cycle file in its manifest just after the file's first frame is forced (docs/journal.md):
     * a crash in between leaves a newest cycle file nothing else records, whose loss cannot be detected. The suite's
     * crash copy is taken after that window, so it is the same on every run (the window itself is a documented limit).
     */
    private static void awaitManifestListsEveryCycle(final Path journal)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try (var files = Files.list(journal))
            {
                final long cycles = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
                final dev.engram.journal.JournalManifest manifest = dev.engram.journal.JournalManifest.read(journal);
                if (manifest != null && manifest.entries().size() == cycles)
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the journal manifest in " + journal + " did not list every cycle file in 60 s");
            }
            Thread.onSpinWait();
        }
    }

    private void roll()
    {
        clockMs.addAndGet(1000);
    }

    private static void append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        for (long v = from; v <= to; v++)
        {
            final long assigned = journal.append(WORKLOAD.fill(v, delta));
            if (assigned != v)
            {
                throw new IllegalStateException("expected version " + v + ", got " + assigned);
            }
        }
        if (!journal.awaitWritten(to, 60, TimeUnit.SECONDS) || !store.awaitApplied(to, 60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("version " + to + " not written and applied in 60 s");
        }
    }

    /**
     * @return the reference state at {@code version} (cached: the suite asks for a handful of versions many times).
     */
    synchronized Map<String, byte[]> model(final long version)
    {
        return models.computeIfAbsent(version, WORKLOAD::model);
    }

    static void copyTree(final Path source, final Path target)
    {
        try (var paths = Files.walk(source))
        {
            for (final Path from : paths.toList())
            {
                final Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from))
                {
                    Files.createDirectories(to);
                }
                else
                {
                    try
                    {
                        Files.copy(from, to);
                    }
                    catch (final java.nio.file.NoSuchFileException gone)
                    {
                        // a live store's temp file renamed meanwhile (the manifest's .tmp): as a crash after the rename
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
