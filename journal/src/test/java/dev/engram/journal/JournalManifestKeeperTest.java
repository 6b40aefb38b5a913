package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The manifest keeper under a sync thread that runs behind retention (CI, HistoryRetentionTest: a loaded machine's
 * sync thread listed a cycle after retention had unlisted and deleted it, and the next open refused a "lost" file).
 */
class JournalManifestKeeperTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNeverListACycleRetentionRemovedBeforeTheSyncThreadGotToIt()
    {
        final JournalManifestKeeper keeper = new JournalManifestKeeper(dir, new JournalManifest(1000, List.of()));
        keeper.cycleStarted(10, 1);
        keeper.cycleStarted(11, 251);
        keeper.cycleStarted(12, 501);
        keeper.removeCycles(List.of(10, 11));   // retention, before the sync thread listed any of them
        keeper.recordStarted(600);              // the sync thread catches up
        final List<JournalManifest.Entry> entries = JournalManifest.read(dir).entries();
        assertEquals(List.of(12), entries.stream().map(JournalManifest.Entry::cycle).toList(), entries.toString());
        assertEquals(501, entries.get(0).firstVersion());
    }

    @Test
    void shouldListStartedCyclesInOrderAndRecordEachPreviousCyclesEnd()
    {
        final JournalManifestKeeper keeper = new JournalManifestKeeper(dir, new JournalManifest(1000, List.of()));
        keeper.cycleStarted(10, 1);
        keeper.cycleStarted(11, 251);
        keeper.recordStarted(300);
        final List<JournalManifest.Entry> entries = JournalManifest.read(dir).entries();
        assertEquals(List.of(new JournalManifest.Entry(10, 1, 250), new JournalManifest.Entry(11, 251, 0)), entries);
    }
}
