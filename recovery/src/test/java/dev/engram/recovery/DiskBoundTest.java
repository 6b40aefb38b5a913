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
 * checkpoint trigger fired in the burst ({@code -Dengram.test.diskBefore=true} runs it so); now it stays within 5 × the state plus the
 * journal's floors (a cycle file being filled and the blocks reserved ahead of the writer) once the burst is over: two
 * full chains and the journal after the older one. Not the 3 × issue 15 asks for: see operations.md "Disk use".
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
        final String figures = String.format("live %.1f MiB; after the burst %s; peak %.1f MiB (%.1f x); %d " +
            "checkpoints, %d rolls by size", live / 1048576.0, last.describe(), peak / 1048576.0, (double)peak / live,
            checkpoints, sizeRolls);
        System.out.println("DiskBoundTest: " + figures);
        // two full chains (the current one and recovery's fallback, each a full checkpoint here: most keys change between
        // checkpoints; 2.5 x the state with their block overhead) and the journal after the fallback's version, which
        // the last background checkpoint left one or two trigger intervals behind the burst's end (4.1-5.5 x measured)
        assertTrue(last.totalBytes() <= 5 * live + floors, "disk after the burst within 5 x the state + floors: " + figures);
        assertTrue(checkpoints >= 3, "the trigger by journal bytes checkpointed: " + checkpoints);
        assertTrue(sizeRolls > 0, "cycle files ended by size");
        // while it ran (polls of a flat-out producer): the journal since the fallback chain reaches two polls' worth
        // (~2.3 x the state) before the next checkpoint, and a consolidation's new file sits beside both chains; 8.8 x
        // on the loaded 2-core machine (load average 16). Before issue 15 it grew with the updates (24 x here, 13-14 x in
        // the issue): one cycle file held them all
        assertTrue(peak <= 10 * live + floors, "peak disk within 10 x the state + floors: " + figures);
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
