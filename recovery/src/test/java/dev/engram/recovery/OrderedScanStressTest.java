package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Ordered scans of the live state racing the applier and the background checkpointer, and of {@code stateAt}
 * snapshots meanwhile: keys in order, each once, none live at the start missed, values no older than at the start,
 * snapshots exact (in its own JVM: {@link OrderedScanStressChild}).
 */
class OrderedScanStressTest
{
    @TempDir
    Path dir;

    @Test
    void shouldScanInOrderWhileTheApplierAppliesAndCheckpointsSwapGenerations() throws Exception
    {
        final long seed = HistoryTestSupport.seed("OrderedScanStressTest");
        final String out = ChildJvm.runToCompletion(OrderedScanStressChild.class, dir, 600,
            dir.resolve("state").toString(), Long.toString(seed));
        assertTrue(out.contains("ok scans="), out);
        System.out.println(out);
    }
}
