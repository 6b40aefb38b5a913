package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Disk stays in proportion to the state under a stream of small updates (issue 15: a 20 MiB state after 1M updates
 * used 263-286 MiB, because the journal rolled only hourly and retention never removes the newest cycle file).
 * <p>
 * The default settings, scaled down with the state: the journal's clock never moves (no roll by time ever happens,
 * as in a burst inside one hour), cycle files end by size ({@code rollBytes} 512 KiB for the default 16 MiB) and the
 * checkpoint trigger by journal bytes keeps its default ratio with its floor scaled (1 MiB for 16 MiB); everything else
 * (the checkpoint triggers by frames, bytes and time, chain policy, one fallback chain, the key history index and
 * anchors) is the default. A 4 MiB state gets ~70 MiB of updates. Before, one cycle file held every update and no
 * checkpoint trigger fired in the burst ({@code -Dengram.test.diskBefore=true} runs it so); now, once the burst is over,
 * the directory holds two full chains and the journal retention keeps (from the older chain's version on, within one
 * roll of it), 4.1-6.3 × the state measured: how far the older chain lags the burst's end depends on how far the
 * background checkpointer ran behind the producer, so the test bounds each part, not the sum. Not the 3 × issue 15 asks
 * for: see operations.md "Disk use".
 */
class DiskBoundTest
{
    private static final int KEYS = 20_000;
    private static final int VALUE = 200;
    private static final int UPDATES = 150_000;
    private static final long ROLL_BYTES = 512 * 1024;
    private static final int MAX_DELTA = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldKeepDiskInProportionToTheStateUnderSmallUpdates() throws IOException
    {
        final long fixedClockMs = 1_700_000_000_000L;
        // -Dengram.test.diskBefore=true: the behaviour before issue 15 (rolls by time only, no checkpoint trigger by
        // journal bytes), to see this test fail on it
        final boolean before = Boolean.getBoolean("engram.test.diskBefore");
        final StateContext ctx = new StateContext().directory(dir).checkpointJournalMinBytes(1024 * 1024)
            .checkpointJournalRatio(before ? 0 : StateContext.CHECKPOINT_JOURNAL_RATIO_DEFAULT)
            .journal(new JournalContext().epochMsClock(() -> fixedClockMs).rollBytes(before ? 0 : ROLL_BYTES)
                .maxDeltaLength(MAX_DELTA));
        final SplittableRandom random = new SplittableRandom(15);
        final byte[] value = new byte[VALUE];
        final long live = (long)KEYS * (VALUE + key(0).length());
        long peak = 0;
        DiskUsage last;
        long checkpoints;
        long sizeRolls;
        long sampled = 0;
        // bytes of the frames appended up to each version (index: version - firstVersion), to say what the journal after
        // the version retention keeps from may hold
        final long[] framesUpTo = new long[KEYS / 100 + UPDATES + 1];
        long firstVersion = -1;
        long keptFrom;
        long framesKept;
        long framesAll;
        long cycleFiles;
        try (StateStore store = StateStore.open(ctx))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int k = 0; k < KEYS; k += 100)
            {
                delta.clear();
                for (int i = k; i < k + 100; i++)
                {
                    random.nextBytes(value);
                    delta.put(key(i), value);
                }
                version = journal.append(delta);
                firstVersion = firstVersion < 0 ? version : firstVersion;
                framesUpTo[(int)(version - firstVersion)] = framesBefore(framesUpTo, version - firstVersion) +
                    delta.frameLength();
            }
            for (int u = 1; u <= UPDATES; u++)
            {
                delta.clear();
                final int ops = 1 + random.nextInt(3);
                for (int i = 0; i < ops; i++)
                {
                    random.nextBytes(value);
                    delta.put(key(random.nextInt(KEYS)), value);
                }
                version = journal.append(delta);
                framesUpTo[(int)(version - firstVersion)] = framesBefore(framesUpTo, version - firstVersion) +
                    delta.frameLength();
                if (u % 10_000 == 0)
                {
                    // now and then, as a monitoring poll would. The producer here runs flat out, and on a loaded 2-core
                    // machine the checkpointer can fall any distance behind it (3 builds in 150k updates at load 16),
                    // with the journal kept for it: so each poll first lets the checkpointer cover the previous poll's
                    // version, which a producer leaving it a core would not need
                    assertTrue(store.awaitApplied(version, 60, TimeUnit.SECONDS));
                    awaitCheckpointAtLeast(store, sampled);
                    sampled = version;
                    peak = Math.max(peak, store.diskUsage().totalBytes());
                }
            }
            assertTrue(store.awaitApplied(version, 60, TimeUnit.SECONDS));
            checkpoints = store.checkpointCount();
            sizeRolls = journal.sizeRolls();
            // what a quiet moment after the burst brings: the history follower catches up (retention keeps the journal
            // it has not read), a checkpoint, retention after it
            assertTrue(store.awaitHistoryIndexed(version, 60, TimeUnit.SECONDS));
            store.checkpoint();
            last = store.diskUsage();
            keptFrom = store.journalKeptFrom();
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir))
            {
                cycleFiles = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).count();
            }
            final int keptIndex = (int)Math.max(0, keptFrom - firstVersion);
            framesAll = framesUpTo[(int)(version - firstVersion)];
            framesKept = keptIndex >= framesUpTo.length ? 0 :
                framesUpTo[(int)(version - firstVersion)] - framesBefore(framesUpTo, keptIndex);
            assertTrue(last.liveStateBytes() >= live && last.liveStateBytes() < 2 * live,
                "live state estimate " + last.liveStateBytes() + " of " + live);
            final long du = allocated(dir);
            if (du >= 0)
            {
                // what the disk really gives the directory (du: allocated blocks) is what the report adds up to
                assertEquals(du, last.totalBytes(), (1 << 20) + du / 10, "du -B1 says " + du + ", the report " + last.describe());
            }
        }
        final long floors = ROLL_BYTES + 2 * (MAX_DELTA + (1L << 20));
        final String figures = String.format("live %.1f MiB; after the burst %s; journal kept from version %d: %.1f MiB " +
            "of frames in %d cycle files; peak %.1f MiB (%.1f x); %d checkpoints, %d rolls by size", live / 1048576.0, last.describe(),
            keptFrom, framesKept / 1048576.0, cycleFiles, peak / 1048576.0, (double)peak / live, checkpoints, sizeRolls);
        System.out.println("DiskBoundTest: " + figures);
        // what the disk holds after the burst is what retention must keep, and no more. How much that is depends on how far
        // behind the flat-out producer the background checkpointer ran (the journal after the fallback chain's version:
        // 4.8-11.6 MiB measured, load-dependent), so the bound is put on each part, not on the sum:
        // - the journal: the frames from the version retention keeps from (Chronicle's 4-byte header each), the rest of
        //   the cycle file holding that version (a roll by size ends it within rollBytes) and Chronicle's own bytes in
        //   each cycle file (header, index arrays: ~0.25 MiB a file measured, 320 KiB allowed).
        //   Before issue 15 one cycle file held every update (~70 MiB) whatever retention allowed
        final long frameHeaders = 8L * (KEYS / 100 + UPDATES);
        assertTrue(last.journalBytes() <= framesKept + frameHeaders + ROLL_BYTES + MAX_DELTA + cycleFiles * 320 * 1024,
            "journal holds no more than retention keeps: " + figures);
        // - checkpoints: the current chain and one fallback chain (keepOlderChains 1), each a full checkpoint here (most
        //   keys change between checkpoints; ~1.25 x the state with their block overhead), nothing older
        assertTrue(last.checkpointBytes() <= 3 * live, "checkpoints within two chains: " + figures);
        // - the journal retention keeps reaches back to the fallback chain only, not to the start of the burst
        assertTrue(framesKept < framesAll / 2, "retention keeps from the fallback chain on: " +
            figures);
        assertTrue(checkpoints >= 3, "the trigger by journal bytes checkpointed: " + checkpoints);
        assertTrue(sizeRolls > 0, "cycle files ended by size");
    }

    private static long framesBefore(final long[] framesUpTo, final long index)
    {
        return index == 0 ? 0 : framesUpTo[(int)index - 1];
    }

    /** Wait (60 s at most) until the background checkpointer has published a checkpoint at or after {@code version}. */
    private static void awaitCheckpointAtLeast(final StateStore store, final long version)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (store.checkpointVersion() < version)
        {
            assertTrue(System.nanoTime() < deadline, "no background checkpoint reached version=" + version + " in 60 s " +
                "(newest at " + store.checkpointVersion() + ", " + store.checkpointCount() + " built): the trigger by " +
                "journal bytes did not fire; last background failure: " + store.lastCheckpointFailure());
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static String key(final int i)
    {
        return String.format("key/%06d", i);
    }

    /** {@code du -s -B1}: bytes allocated to the directory, or -1 where du is not available. */
    private static long allocated(final Path directory)
    {
        try
        {
            final Process du = new ProcessBuilder("du", "-s", "-B1", directory.toString()).redirectErrorStream(true).start();
            final String out = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (!du.waitFor(60, TimeUnit.SECONDS) || du.exitValue() != 0 || out.isEmpty())
            {
                return -1;
            }
            return Long.parseLong(out.split("\\s+")[0]);
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
