package dev.engram.backup;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.EngramSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups of an open store while a producer appends (docs/backup.md, "Live stores"), and point-in-time restores:
 * each restored directory opens at exactly the version asked for, with the state the source had then (a model of
 * every version's change, or the source's own {@code stateAt}), and keeps appending after it.
 */
class LiveBackupTest
{
    /** The producer stops appending after this many versions (and waits for the test to stop it). */
    private static final long MAX_PRODUCED = 500_000;

    private static final int KEYS = 300;

    @TempDir
    Path tmp;

    @Test
    void backsUpAnOpenStoreWhileAProducerAppends() throws Exception
    {
        final Map<Long, String[]> changes = new ConcurrentHashMap<>();   // version -> {key, value or null}
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch started = new CountDownLatch(1);
        final List<BackupResult> results = new java.util.ArrayList<>();
        try (Engram engram = Engram.open(tmp.resolve("src"), Stores.ctx());
             Backups backups = Backups.open(tmp.resolve("repo")))
        {
            final Thread producer = new Thread(() ->
            {
                try
                {
                    for (long i = 0; !stop.get(); i++)
                    {
                        if (i >= MAX_PRODUCED)
                        {
                            // the model below holds every version on the heap: a flat-out producer on a loaded machine
                            // made 6.6 M of them while the backups and checkpoints ran (2 GiB heap exhausted)
                            while (!stop.get())
                            {
                                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            }
                            break;
                        }
                        final String key = "key/" + (i * 7 % KEYS);
                        if (i % 13 == 12)
                        {
                            changes.put(engram.delta().delete(key).commit(), new String[] {key, null});
                        }
                        else
                        {
                            final String value = "value-" + i + "-" + "x".repeat((int)(i % 200));
                            changes.put(engram.delta().put(key, value.getBytes(StandardCharsets.UTF_8)).commit(),
                                new String[] {key, value});
                        }
                        if (i == 3_000)
                        {
                            started.countDown();
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                    started.countDown();
                }
            }, "producer");
            producer.start();
            assertTrue(started.await(120, TimeUnit.SECONDS));
            results.add(backups.backup(engram));           // journal only: no checkpoint yet
            engram.checkpoint();
            results.add(backups.backup(engram));           // the chain plus the journal after it
            engram.checkpoint();
            results.add(backups.backup(engram));
            final long before = engram.lastAppendedVersion();
            stop.set(true);
            producer.join();
            assertNull(failure.get());
            assertTrue(engram.lastAppendedVersion() > results.get(2).backup().stateVersion() || before > 0);
        }
        assertTrue(backups().verify(true).ok());
        for (final BackupResult result : results)
        {
            final long version = result.backup().stateVersion();
            final Path restored = tmp.resolve("restored-" + result.backup().id());
            try (Backups backups = backups())
            {
                assertEquals(version, backups.restore(RestoreTarget.backup(result.backup().id()), restored).stateVersion());
            }
            assertEquals(model(changes, version), state(restored, version), "backup " + result.backup().id());
            appendsGoOnAfterARestore(restored, version);
        }
    }

    @Test
    void restoresAnyVersionTheBackupsHoldAsStateAtGaveIt() throws Exception
    {
        final EngramContext ctx = Stores.ctx();
        ctx.state().historyVersions(1_000_000);           // stateAt reaches back to version 1
        final TreeMap<Long, Instant> instants = new TreeMap<>();
        final Map<Long, Map<String, String>> expected = new TreeMap<>();
        final Map<Instant, Map<String, String>> expectedAtInstant = new java.util.LinkedHashMap<>();
        final Instant[] gap = {null};
        final Map<Long, Map<String, String>> atInstant = new java.util.HashMap<>();
        try (Engram engram = Engram.open(tmp.resolve("src"), ctx);
             Backups backups = Backups.open(tmp.resolve("repo")))
        {
            long i = 0;
            for (int round = 0; round < 4; round++)
            {
                for (int n = 0; n < 400; n++, i++)
                {
                    final String key = "key/" + (i * 11 % KEYS);
                    if (i % 9 == 8)
                    {
                        engram.delta().delete(key).commit();
                    }
                    else
                    {
                        engram.delta().put(key, ("v" + i).getBytes(StandardCharsets.UTF_8)).commit();
                    }
                    if (n == 200 && round > 0)
                    {
                        engram.checkpoint();   // the backup at the end of the round holds versions from here
                    }
                    if (n == 300 || n == 100 && round == 1)
                    {
                        instants.put(engram.lastAppendedVersion(), null);   // its frame's stamp, below
                    }
                }
                backups.backup(engram);
            }
            final long newest = engram.lastAppendedVersion();
            engram.awaitApplied(newest, 60, TimeUnit.SECONDS);
            final List<VersionRange> ranges = backups.versionRanges();
            assertEquals(4, ranges.size());
            assertEquals(List.of(new VersionRange(1, 0, 400), new VersionRange(2, 601, 800),
                new VersionRange(3, 1001, 1200), new VersionRange(4, 1401, 1600)), ranges);
            for (final VersionRange range : ranges)
            {
                for (final long v : new long[] {Math.max(1, range.firstVersion()), Math.min(range.lastVersion(), range.firstVersion() + 37),
                    (range.firstVersion() + range.lastVersion()) / 2, range.lastVersion()})
                {
                    expected.putIfAbsent(v, stateAt(engram, v));
                }
            }
            for (final Map.Entry<Long, Instant> e : instants.entrySet())
            {
                try (EngramSnapshot snapshot = engram.stateAt(e.getKey()))   // the journal's stamp: stateAt(Instant)'s clock
                {
                    e.setValue(Instant.ofEpochSecond(0, snapshot.timestampEpochNs()));
                }
            }
            gap[0] = instants.remove(501L);   // between backup 1 (up to 400) and backup 2 (from its checkpoint, 601)
            for (final Instant instant : instants.values())
            {
                try (EngramSnapshot snapshot = engram.stateAt(instant))
                {
                    expectedAtInstant.put(instant, toMap(snapshot));
                }
            }
            for (final VersionRange range : ranges)
            {
                for (long v = Math.max(1, range.firstVersion()); v <= range.lastVersion(); v++)
                {
                    atInstant.put(v, stateAt(engram, v));   // whichever version an instant resolves to
                }
            }
        }
        try (Backups backups = backups())
        {
            for (final Map.Entry<Long, Map<String, String>> e : expected.entrySet())
            {
                final Path restored = tmp.resolve("pitr-" + e.getKey());
                assertEquals((long)e.getKey(), backups.restore(RestoreTarget.version(e.getKey()), restored).stateVersion());
                assertEquals(e.getValue(), state(restored, e.getKey()), "version " + e.getKey());
            }
            // at an instant: the highest version the source's journal stamped at or before it, when a backup holds it
            // (the journal's stamps can step back when its clock re-samples the wall clock's offset: then the version
            // is not the one whose stamp the instant is, and may lie between two backups' ranges)
            final java.util.TreeMap<Long, Long> stamps =
                dev.engram.backup.internal.source.JournalCut.timestamps(tmp.resolve("src"));
            final List<VersionRange> ranges = backups.versionRanges();
            int n = 0;
            int restoredAtInstant = 0;
            for (final Instant instant : expectedAtInstant.keySet())
            {
                final long epochNs = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
                final long expectedVersion = stamps.entrySet().stream().filter(s -> s.getValue() <= epochNs)
                    .mapToLong(Map.Entry::getKey).max().orElse(-1);
                final boolean held = ranges.stream().anyMatch(r -> r.contains(expectedVersion));
                final boolean monotonic = isMonotonic(stamps);
                final Path restored = tmp.resolve("pitr-instant-" + n++);
                if (monotonic)
                {
                    assertTrue(held, "version " + expectedVersion + " is in no range: " + ranges);
                    assertEquals(expectedVersion, backups.restore(RestoreTarget.at(instant), restored).stateVersion(),
                        "instant " + instant);
                    assertEquals(atInstant.get(expectedVersion), state(restored, expectedVersion), "instant " + instant);
                    restoredAtInstant++;
                }
                else
                {
                    // stamps that step back make "the state at an instant" ambiguous: a restore, if any, is a version
                    // stamped at or before it, with that version's state
                    try
                    {
                        final long version = backups.restore(RestoreTarget.at(instant), restored).stateVersion();
                        assertTrue(stamps.get(version) <= epochNs, "version " + version + " at " + instant);
                        assertEquals(atInstant.get(version), state(restored, version), "instant " + instant);
                    }
                    catch (final BackupException ex)
                    {
                        assertTrue(!held || ex.getMessage().contains("is not in what"), ex.getMessage());
                    }
                }
            }
            assertTrue(restoredAtInstant > 0 || !isMonotonic(stamps), "no instant restored");
            final long newest = backups.versionRanges().get(3).lastVersion();
            final BackupException after = assertThrows(BackupException.class,
                () -> backups.restore(RestoreTarget.version(newest + 1), tmp.resolve("refused-1")));
            assertTrue(after.getMessage().contains("is not in what") &&
                after.getMessage().contains(".." + newest + " (backup 4)"), after.getMessage());
            final BackupException later = assertThrows(BackupException.class,
                () -> backups.restore(RestoreTarget.at(Instant.now().plusSeconds(3600)), tmp.resolve("refused-2")));
            assertTrue(later.getMessage().contains("later states are not in the repository"), later.getMessage());
            final long gapNs = gap[0].getEpochSecond() * 1_000_000_000L + gap[0].getNano();
            if (stamps.entrySet().stream().filter(s -> s.getValue() <= gapNs).mapToLong(Map.Entry::getKey).max()
                .orElse(-1) < 601)
            {
                final BackupException inGap = assertThrows(BackupException.class,
                    () -> backups.restore(RestoreTarget.at(gap[0]), tmp.resolve("refused-3")));
                assertTrue(inGap.getMessage().contains("(the last stamped at or before it) is before them"),
                    inGap.getMessage());
            }
            assertThrows(BackupException.class, () -> backups.restore(RestoreTarget.version(500), tmp.resolve("refused-4")));
            for (final String refused : List.of("refused-1", "refused-2", "refused-3", "refused-4"))
            {
                assertTrue(java.nio.file.Files.notExists(tmp.resolve(refused)), refused);
            }
        }
    }

    @Test
    void continuousBackupsShipWhatIsAppended() throws Exception
    {
        final Map<Long, String[]> changes = new ConcurrentHashMap<>();
        long last = 0;
        try (Engram engram = Engram.open(tmp.resolve("src"), Stores.ctx());
             Backups backups = Backups.open(tmp.resolve("repo")))
        {
            try (ContinuousBackup shipping = ContinuousBackup.start(backups, engram, 20))
            {
                for (long i = 0; i < 3_000; i++)
                {
                    final String key = "key/" + (i * 7 % KEYS);
                    final String value = "v" + i;
                    last = engram.delta().put(key, value.getBytes(StandardCharsets.UTF_8)).commit();
                    changes.put(last, new String[] {key, value});
                    if (i == 1_500)
                    {
                        engram.checkpoint();
                    }
                }
                assertTrue(shipping.awaitShipped(last, 120, TimeUnit.SECONDS), "shipped " + shipping.shippedVersion() +
                    ", failures " + shipping.failures() + ": " + shipping.lastFailure());
                assertEquals(0, shipping.rpoLagMillis());   // every written version is in a backup
                assertTrue(shipping.backups() >= 1);
                assertEquals(0, shipping.failures(), String.valueOf(shipping.lastFailure()));
            }
        }
        try (Backups backups = backups())
        {
            final Path restored = tmp.resolve("restored");
            assertEquals(last, backups.restore(RestoreTarget.latest(), restored).stateVersion());
            assertEquals(model(changes, last), state(restored, last));
        }
    }

    /**
     * Continuous mode backs up the same store again and again: files unchanged since the last backup through the same
     * Backups (published checkpoints, rolled journal files) are not read again, and every backup still restores to the
     * model's state and verifies reading all data.
     */
    @Test
    void repeatedLiveBackupsDoNotReadUnchangedFilesAgain() throws Exception
    {
        final Map<Long, String[]> changes = new ConcurrentHashMap<>();
        final java.util.List<Long> versions = new java.util.ArrayList<>();
        final java.util.List<Long> ids = new java.util.ArrayList<>();
        try (Engram engram = Engram.open(tmp.resolve("src"), Stores.ctx());
             Backups backups = Backups.open(tmp.resolve("repo")))
        {
            long last = 0;
            for (int round = 0; round < 4; round++)
            {
                for (long i = 0; i < 500; i++)
                {
                    final String key = "key/" + ((round * 500 + i) * 7 % KEYS);
                    final String value = "v" + round + "." + i;
                    last = engram.delta().put(key, value.getBytes(StandardCharsets.UTF_8)).commit();
                    changes.put(last, new String[] {key, value});
                }
                if (round == 1)
                {
                    engram.checkpoint();
                }
                assertTrue(engram.awaitWritten(last, 60, TimeUnit.SECONDS));
                final BackupResult result = backups.backup(engram);
                versions.add(result.backup().stateVersion());
                ids.add(result.backup().id());
            }
            assertTrue(backups.cachedFileHits() >= 2, "the checkpoint (unchanged after round 1) was not read again: hits=" +
                backups.cachedFileHits());
            assertTrue(backups.verify(true).ok(), backups.verify(true).toString());
        }
        try (Backups backups = backups())
        {
            for (int i = 0; i < ids.size(); i++)
            {
                final Path restored = tmp.resolve("restored-" + i);
                assertEquals(versions.get(i), backups.restore(RestoreTarget.backup(ids.get(i)), restored).stateVersion());
                assertEquals(model(changes, versions.get(i)), state(restored, versions.get(i)), "backup " + ids.get(i));
            }
        }
    }

    private static boolean isMonotonic(final java.util.TreeMap<Long, Long> stamps)
    {
        long previous = Long.MIN_VALUE;
        for (final long stamp : stamps.values())
        {
            if (stamp < previous)
            {
                return false;
            }
            previous = stamp;
        }
        return true;
    }

    private Backups backups() throws java.io.IOException
    {
        return Backups.open(tmp.resolve("repo"));
    }

    /** Opens the restored store: it must hold exactly {@code version}; its state. */
    private static Map<String, String> state(final Path dir, final long version)
    {
        final TreeMap<String, String> state = new TreeMap<>();
        try (Engram engram = Engram.open(dir, Stores.ctx()))
        {
            assertEquals(version, engram.lastAppendedVersion(), dir.toString());
            engram.forEach("", (k, v) -> state.put(k, new String(v, StandardCharsets.UTF_8)));
        }
        return state;
    }

    /** A restored store appends after its version, and has all of it after a reopen. */
    private static void appendsGoOnAfterARestore(final Path dir, final long version)
    {
        try (Engram engram = Engram.open(dir, Stores.ctx()))
        {
            for (int i = 0; i < 100; i++)
            {
                assertEquals(version + i + 1, engram.delta().put("after/" + i, new byte[] {(byte)i}).commit());
            }
        }
        try (Engram engram = Engram.open(dir, Stores.ctx()))
        {
            assertEquals(version + 100, engram.lastAppendedVersion());
            assertEquals(100, engram.keys("after/").size());
        }
    }

    private static Map<String, String> model(final Map<Long, String[]> changes, final long version)
    {
        final TreeMap<String, String> state = new TreeMap<>();
        for (long v = 1; v <= version; v++)
        {
            final String[] change = changes.get(v);
            if (change[1] == null)
            {
                state.remove(change[0]);
            }
            else
            {
                state.put(change[0], change[1]);
            }
        }
        return state;
    }

    private static Map<String, String> stateAt(final Engram engram, final long version)
    {
        try (EngramSnapshot snapshot = engram.stateAt(version))
        {
            return toMap(snapshot);
        }
    }

    private static Map<String, String> toMap(final EngramSnapshot snapshot)
    {
        final TreeMap<String, String> state = new TreeMap<>();
        snapshot.forEach("", (key, value, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            value.getBytes(offset, bytes);
            state.put(key, new String(bytes, StandardCharsets.UTF_8));
        });
        return state;
    }
}
