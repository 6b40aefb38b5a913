package dev.engram.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.engram.recovery.HistoryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * History anchors (docs/history.md, "History anchors"): with an anchor every 150 versions, {@code stateAt} of any
 * version equals the model and replays fewer than 150 frames, whether the base is the empty state or a
 * checkpoint (1,500 versions, one checkpoint at 600: without anchors up to 899 frames); a damaged or missing anchor
 * is detected, reported and rebuilt, and snapshots stay right meanwhile.
 */
class HistoryAnchorsTest
{
    private static final long VERSIONS = 1_500;
    private static final long EVERY = 150;

    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(57, 2048);

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).checkpointIntervalMs(0)
            .historyIndexSegmentVersions(100).historyAnchorEveryFrames(EVERY);
    }

    private void fill(final StateStore store)
    {
        append(store, workload, 1, 600);
        assertEquals(600, store.checkpoint().stateVersion());
        append(store, workload, 601, VERSIONS);
        assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
    }

    private static TreeSet<Long> versionsToCheck()
    {
        final TreeSet<Long> versions = new TreeSet<>(List.of(0L, 1L, 149L, 150L, 151L, 599L, 600L, 601L, 749L, 750L, 751L,
            VERSIONS - 1, VERSIONS));
        final SplittableRandom random = new SplittableRandom(seed("HistoryAnchorsTest"));
        for (int i = 0; i < 40; i++)
        {
            versions.add(random.nextLong(VERSIONS + 1));
        }
        return versions;
    }

    private void assertStatesEqualModel(final StateStore store, final boolean bounded, final String when)
    {
        final ModelWalker model = new ModelWalker(workload);
        for (final long version : versionsToCheck())
        {
            try (StateSnapshot snapshot = store.stateAt(version))
            {
                assertSnapshotEquals(snapshot, model.at(version), when + " at version=" + version);
                if (bounded)
                {
                    assertTrue(snapshot.framesReplayed() < EVERY, () -> when + ": version=" + version + " replayed " +
                        snapshot.framesReplayed() + " frames from base version=" + snapshot.baseVersion());
                    assertTrue(snapshot.baseVersion() <= version);
                }
            }
        }
    }

    @Test
    void shouldServeEveryVersionFromAnAnchorWithinTheSetting() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
            assertStatesEqualModel(store, true, "anchors");
            // on the empty state: 150, 300, 450 (the first a full file), and 600 if built before the checkpoint at
            // 600 was; on that checkpoint: 750 .. 1500
            final List<String> folders = anchorFolders();
            assertTrue(folders.equals(List.of("empty/3", "on-checkpoint/6")) || folders.equals(List.of("empty/4",
                "on-checkpoint/6")), folders.toString());
        }
        try (StateStore store = StateStore.open(ctx()))
        {
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            assertStatesEqualModel(store, true, "anchors after a reopen");
        }
        try (StateStore store = StateStore.open(ctx().historyIndex(false)))
        {
            assertStatesEqualModel(store, false, "anchors off");
        }
    }

    /**
     * A head's anchors serve the versions up to the next head; once the journal starts after that, they can serve no
     * replay and go, though the head itself stays (the base of the chain): issue 15, 1.7 GB of anchors for a 1 GiB state.
     */
    @Test
    void shouldDeleteTheAnchorsOfAHeadWhoseVersionsTheJournalNoLongerHolds() throws Exception
    {
        final StateContext ctx = ctx().keepOlderChains(0).deltaChangedKeysRatio(10).maxChainSizeRatio(100)
            .journal(new dev.engram.journal.JournalContext().rollBytes(16 * 1024));
        try (StateStore store = StateStore.open(ctx))
        {
            fill(store);
            assertEquals(VERSIONS, store.checkpoint().stateVersion());
            assertTrue(anchorFolders().contains("on-checkpoint/6"), anchorFolders().toString());
            append(store, workload, VERSIONS + 1, VERSIONS + 300);
            assertEquals(VERSIONS + 300, store.checkpoint().stateVersion());
            final long first = store.historyRange().firstJournalVersion();
            assertTrue(first > VERSIONS, "the journal was trimmed past the head at " + VERSIONS + ": first=" + first);
            // the follower looks at the anchors at least every 100 ms
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (anchorFolders().contains("on-checkpoint/6") && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertFalse(anchorFolders().contains("on-checkpoint/6"), "the anchors on the head at 600 serve nothing: " +
                anchorFolders());
            assertEquals(3, checkpointFileCount(), "the heads themselves stay (one chain: 600, 1500, 1800)");
            final ModelWalker model = new ModelWalker(workload);
            for (long version = store.historyRange().oldestVersion(); version <= VERSIONS + 300; version += 37)
            {
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    assertSnapshotEquals(snapshot, model.at(version), "version=" + version);
                }
            }
        }
    }

    private long checkpointFileCount() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("checkpoints")))
        {
            return files.filter(f -> f.toString().endsWith(".ckp")).count();
        }
    }

    @Test
    void shouldRejectADamagedAnchorAndRebuildIt() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
        }
        final Path victim = anchors().get(anchors().size() / 2);
        final byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 3] ^= 0x04;
        Files.write(victim, bytes);
        try (StateStore store = StateStore.open(ctx()))
        {
            assertStatesEqualModel(store, false, "a damaged anchor");
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            assertTrue(store.repairs().stream().anyMatch(r -> r.contains(victim.getFileName().toString())),
                store.repairs().toString());
            assertStatesEqualModel(store, true, "the anchor rebuilt");
        }
    }

    @Test
    void shouldRebuildMissingAnchors() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
        }
        try (Stream<Path> files = Files.walk(dir.resolve("history-anchors")))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (StateStore store = StateStore.open(ctx()))
        {
            assertStatesEqualModel(store, false, "anchors missing");
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            assertStatesEqualModel(store, true, "anchors rebuilt");
        }
    }

    /** @return "folder kind/anchor count" per anchor folder, sorted. */
    private List<String> anchorFolders() throws IOException
    {
        final List<String> folders = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir.resolve("history-anchors")))
        {
            for (final Path folder : list.sorted(java.util.Comparator.comparing(f -> !f.getFileName().toString().equals("empty")))
                .toList())
            {
                try (Stream<Path> files = Files.list(folder))
                {
                    final long count = files.filter(f -> f.toString().endsWith(".ckp")).count();
                    folders.add((folder.getFileName().toString().equals("empty") ? "empty" : "on-checkpoint") + "/" + count);
                }
                catch (final java.nio.file.NoSuchFileException ex)
                {
                    // deleted by the follower meanwhile
                }
            }
        }
        return folders;
    }

    private List<Path> anchors() throws IOException
    {
        try (Stream<Path> files = Files.walk(dir.resolve("history-anchors")))
        {
            return files.filter(f -> f.toString().endsWith(".ckp")).sorted().toList();
        }
    }
}
