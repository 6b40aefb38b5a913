package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.OpType;
import dev.engram.recovery.internal.history.TagFileDescriptor;
import dev.engram.recovery.internal.history.VersionTags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.engram.recovery.HistoryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Time travel checked against the seeded model: stateAt(version) and stateAt(instant) at random points,
 * a key's history, diffs between versions, and tags across a reopen.
 */
class VersionHistoryTest
{
    private static final long VERSIONS = 6000;
    private static final long CHECKPOINT_EVERY = 700;

    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(11, 4096);

    private StateContext ctx()
    {
        // keep everything: the window reaches back to version 0
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).historyVersions(Long.MAX_VALUE);
    }

    /**
     * @return the state versions of the checkpoints written, ascending.
     */
    private List<Long> fill(final StateStore store)
    {
        final List<Long> checkpoints = new ArrayList<>();
        for (long from = 1; from <= VERSIONS; from += CHECKPOINT_EVERY)
        {
            final long to = Math.min(VERSIONS, from + CHECKPOINT_EVERY - 1);
            append(store, workload, from, to);
            if (to < VERSIONS)
            {
                checkpoints.add(store.checkpoint().stateVersion());
            }
        }
        return checkpoints;
    }

    @Test
    void shouldEqualTheModelAtRandomVersionsFromTheNearestCheckpointAtOrBeforeThem()
    {
        final long seed = seed("stateAt(version)");
        final SplittableRandom random = new SplittableRandom(seed);
        try (StateStore store = StateStore.open(ctx()))
        {
            final List<Long> checkpoints = fill(store);
            assertTrue(store.deltaCheckpointCount() > 0, "the chains have deltas");
            assertEquals(new HistoryRange(0, VERSIONS, 1), store.historyRange());
            final TreeSet<Long> versions = new TreeSet<>(List.of(0L, 1L, VERSIONS));
            versions.addAll(checkpoints);
            checkpoints.forEach(c -> versions.add(c + 1));
            while (versions.size() < 40)
            {
                versions.add(random.nextLong(VERSIONS + 1));
            }
            final ModelWalker model = new ModelWalker(workload);
            final long[] timestamps = timestamps(store.journal(), VERSIONS);
            for (final long version : versions)
            {
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    assertEquals(version, snapshot.version());
                    final long expectedBase = checkpoints.stream().filter(c -> c <= version).mapToLong(c -> c).max().orElse(0);
                    assertEquals(expectedBase, snapshot.baseVersion(), () -> "nearest checkpoint at or before " + version);
                    assertEquals(version - expectedBase, snapshot.framesReplayed());
                    assertEquals(version == 0 ? -1 : timestamps[(int)version], snapshot.timestampEpochNs());
                    assertSnapshotEquals(snapshot, model.at(version), "seed=" + seed + " version=" + version);
                }
            }
            assertEquals(0, store.versionHistory().openSnapshots());
            assertEquals(0, store.versionHistory().retention().pinCount());
        }
    }

    @Test
    void shouldKeepAnOpenSnapshotUnchangedWhileTheLiveStoreMovesOnAndRefuseReadsAfterClose()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, workload, 1, 1000);
            store.checkpoint();
            final StateSnapshot snapshot = store.stateAt(800);
            append(store, workload, 1001, 2500);
            store.checkpoint();
            assertSnapshotEquals(snapshot, workload.model(800), "after the live store moved on");
            assertEquals(1, store.versionHistory().openSnapshots());
            snapshot.close();
            snapshot.close();
            assertEquals(0, store.versionHistory().openSnapshots());
            final IllegalStateException closed = assertThrows(IllegalStateException.class, () -> snapshot.get("user/1"));
            assertTrue(closed.getMessage().contains("snapshot is closed: version=800"), closed.getMessage());
            final StateSnapshot leftOpen = store.stateAt(10);
            store.close();
            assertThrows(IllegalStateException.class, () -> leftOpen.get("user/1"), "the store closed it");
        }
    }

    @Test
    void shouldRefuseVersionsNewerThanWrittenAndBadKeysClearly()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, workload, 1, 300);
            final VersionUnavailableException newer = assertThrows(VersionUnavailableException.class, () -> store.stateAt(301));
            assertTrue(newer.getMessage().contains("version=301 is not available") &&
                newer.getMessage().contains("[0, 300]"), newer.getMessage());
            assertEquals(301, newer.requestedVersion());
            assertEquals(new HistoryRange(0, 300, 1), newer.range());
            assertThrows(VersionUnavailableException.class, () -> store.stateAt(-1));
            try (StateSnapshot snapshot = store.stateAt(300))
            {
                assertThrows(IllegalArgumentException.class, () -> snapshot.get(""));
            }
        }
    }

    @Test
    void shouldFindTheLastVersionAtOrBeforeAnInstant() throws InterruptedException
    {
        final long seed = seed("stateAt(instant)");
        final SplittableRandom random = new SplittableRandom(seed);
        final long last;
        try (StateStore store = StateStore.open(ctx()))
        {
            long version = 0;
            for (int burst = 0; burst < 6; burst++)
            {
                version = append(store, workload, version + 1, version + 250);
                if (burst == 2)
                {
                    store.checkpoint();
                }
                // pacing, not synchronisation: bursts 15 ms apart give the timestamp search gaps to land in
                java.util.concurrent.locks.LockSupport.parkNanos(15_000_000);
            }
            last = version;
            final long[] timestamps = timestamps(store.journal(), last);
            for (int v = 2; v <= last; v++)
            {
                assertTrue(timestamps[v] >= timestamps[v - 1], "timestamps in version order at " + v);
            }
            final List<Long> instants = new ArrayList<>(List.of(timestamps[1] - 1, timestamps[1], timestamps[(int)last],
                timestamps[(int)last] + 1_000_000_000L, timestamps[500], timestamps[500] - 1));
            for (int i = 0; i < 30; i++)
            {
                instants.add(timestamps[1] - 1_000_000 + random.nextLong(timestamps[(int)last] - timestamps[1] + 2_000_000));
            }
            for (final long instantNs : instants)
            {
                long expected = 0;
                for (int v = 1; v <= last && timestamps[v] <= instantNs; v++)
                {
                    expected = v;
                }
                final Instant instant = Instant.ofEpochSecond(0, instantNs);
                try (StateSnapshot snapshot = store.stateAt(instant))
                {
                    assertEquals(expected, snapshot.version(), () -> "seed=" + seed + " instant=" + instant);
                    assertSnapshotEquals(snapshot, workload.model(expected), "instant=" + instant);
                }
            }
        }
    }

    @Test
    void shouldListEveryOpOnAKeyWithItsVersionAndTimestamp()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
            final long[] timestamps = timestamps(store.journal(), VERSIONS);
            final Map<String, List<ExpectedChange>> expected = expectedChanges(workload, 1, VERSIONS);
            for (final String key : SeededWorkload.keyUniverse())
            {
                final KeyHistory history = store.history(key);
                assertEquals(key, history.key());
                assertEquals(1, history.fromVersion());
                assertEquals(VERSIONS, history.toVersion());
                final List<ExpectedChange> wanted = expected.getOrDefault(key, List.of());
                assertEquals(wanted.size(), history.changes().size(), key);
                for (int i = 0; i < wanted.size(); i++)
                {
                    final KeyHistory.Change change = history.changes().get(i);
                    assertEquals(wanted.get(i).version(), change.version(), key);
                    assertEquals(wanted.get(i).op(), change.op(), key);
                    assertEquals(timestamps[(int)change.version()], change.timestampEpochNs(), key);
                }
            }
            final KeyHistory part = store.history("population/0", 2000, 2999);
            assertEquals(2000, part.fromVersion());
            assertEquals(2999, part.toVersion());
            assertEquals(expected.get("population/0").stream().filter(c -> c.version() >= 2000 && c.version() <= 2999).count(),
                part.changes().size());
            final KeyHistory beyond = store.history("user/1", VERSIONS + 1, Long.MAX_VALUE);
            assertTrue(beyond.changes().isEmpty());
            assertTrue(beyond.fromVersion() > beyond.toVersion(), "empty range");
            assertTrue(store.history("no-such-key").changes().isEmpty());
        }
    }

    @Test
    void shouldDiffByValueAgainstTheModelBothWays()
    {
        final long seed = seed("diff");
        final SplittableRandom random = new SplittableRandom(seed);
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
            for (int i = 0; i < 12; i++)
            {
                final long a = random.nextLong(VERSIONS + 1);
                final long b = i == 0 ? a : random.nextLong(VERSIONS + 1);
                final StateDiff diff = store.diff(a, b);
                final String when = "seed=" + seed + " diff(" + a + ", " + b + ")";
                assertDiffEqualsModel(diff, workload, when);
                assertEquals(a, diff.fromVersion());
                assertEquals(b, diff.toVersion());
                assertEquals(a == b, diff.keysCompared() == 0, when);
            }
            assertThrows(VersionUnavailableException.class, () -> store.diff(1, VERSIONS + 1));
        }
    }

    @Test
    void shouldNotCallAKeyChangedWhenItWasChangedBackOrDeletedAndPutAgain()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            final long v1 = journal.append(delta.clear().put("a", new byte[] {1}).put("b", new byte[] {2})
                .put("c", new byte[] {3, 3, 3}).put("d", new byte[] {4}));
            journal.append(delta.clear().put("a", new byte[] {9}).delete("b").patch("c", 1, new byte[] {7}));
            journal.append(delta.clear().put("a", new byte[] {1}).put("b", new byte[] {2}).patch("c", 1, new byte[] {3})
                .put("e", new byte[] {5}).delete("d"));
            final long v4 = journal.append(delta.clear().put("d", new byte[] {4, 4}));
            assertTrue(store.awaitApplied(v4, 60, TimeUnit.SECONDS));
            store.checkpoint();
            final StateDiff diff = store.diff(v1, v4);
            assertEquals(List.of("e"), diff.added());
            assertEquals(List.of("d"), diff.changed());
            assertEquals(List.of(), diff.removed());
            assertEquals(5, diff.keysCompared(), "a, b, c, d, e were touched");
            final StateDiff back = store.diff(v4, v1);
            assertEquals(List.of(), back.added());
            assertEquals(List.of("d"), back.changed());
            assertEquals(List.of("e"), back.removed());
            assertTrue(store.diff(v1, v1).isEmpty());
            assertTrue(store.diff(v1 + 2, v1 + 2).isEmpty());
            final StateDiff fromEmpty = store.diff(0, v1);
            assertEquals(List.of("a", "b", "c", "d"), fromEmpty.added());
        }
    }

    @Test
    void shouldKeepTagsAcrossAReopenAndRefuseMisuse() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, workload, 1, 1500);
            store.checkpoint();
            assertTrue(store.tags().isEmpty());
            store.tag("before-upgrade", 400);
            store.tag("после", 1200);
            store.tag("zero", 0);
            store.tag("before-upgrade", 400);   // same version again: nothing to do
            final IllegalStateException moved = assertThrows(IllegalStateException.class, () -> store.tag("before-upgrade", 401));
            assertTrue(moved.getMessage().contains("tag exists: name=before-upgrade version=400"), moved.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.tag("future", 1501));
            assertThrows(IllegalArgumentException.class, () -> store.tag("", 1));
            assertThrows(IllegalArgumentException.class, () -> store.tag("bad\nname", 1));
            assertThrows(IllegalArgumentException.class, () -> store.tag("x".repeat(256), 1));
            store.tag("temporary", 3);
            assertTrue(store.untag("temporary"));
            assertFalse(store.untag("temporary"));
        }
        final Path file = dir.resolve(TagFileDescriptor.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.exists(dir.resolve(TagFileDescriptor.FILE_NAME + ".tmp")), "no temp file left");
        try (StateStore store = StateStore.open(ctx()))
        {
            assertEquals(Map.of("before-upgrade", 400L, "после", 1200L, "zero", 0L), store.tags());
            assertEquals(List.of("before-upgrade", "zero", "после"), new ArrayList<>(store.tags().keySet()));
            assertEquals(1200, store.versionOfTag("после"));
            final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> store.versionOfTag("nope"));
            assertTrue(unknown.getMessage().contains("no tag name=nope"), unknown.getMessage());
            try (StateSnapshot snapshot = store.stateAt(store.versionOfTag("before-upgrade")))
            {
                assertSnapshotEquals(snapshot, workload.model(400), "tag before-upgrade");
            }
        }
    }

    @Test
    void shouldReportADamagedTagFileNamingItWithoutStoppingTheStateFromOpening() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, workload, 1, 10);
            store.tag("t", 5);
        }
        final Path file = dir.resolve(TagFileDescriptor.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[TagFileDescriptor.FIRST_ENTRY_OFFSET] ^= 1;
        Files.write(file, bytes);
        // both copies damaged (one alone is restored from the other: VersionTagsMirrorTest)
        Files.write(dir.resolve("checkpoints").resolve(VersionTags.MIRROR_NAME), bytes);
        try (StateStore store = StateStore.open(ctx()))
        {
            try (StateSnapshot snapshot = store.stateAt(10))
            {
                assertSnapshotEquals(snapshot, workload.model(10), "state opens despite the damaged tags");
            }
            final TagFileException damaged = assertThrows(TagFileException.class, store::tags);
            assertTrue(damaged.getMessage().contains("CRC32C mismatch") && damaged.getMessage().contains(file.toString()),
                damaged.getMessage());
            assertEquals(bytes.length - 4, damaged.offset());
        }
    }

    @Test
    void shouldEqualTheLiveReaderAtTheWrittenVersion()
    {
        // the snapshot of the newest version, built apart from the live view, reads the same as the live reader
        try (StateStore store = StateStore.open(ctx()))
        {
            fill(store);
            final Set<String> keys = new HashSet<>();
            try (StateSnapshot snapshot = store.stateAt(VERSIONS))
            {
                snapshot.forEach("", (key, value, offset, length) -> keys.add(key));
            }
            try (StateReader reader = store.newReader(); StateSnapshot snapshot = store.stateAt(VERSIONS))
            {
                for (final String key : SeededWorkload.keyUniverse())
                {
                    assertArrayEquals(reader.get(key), snapshot.get(key), key);
                }
            }
            assertEquals(workload.model(VERSIONS).keySet(), keys);
        }
    }
}
