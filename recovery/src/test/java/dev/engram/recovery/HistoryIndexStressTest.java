package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The key history index and the history anchors built while a producer appends, checkpoints are taken and
 * retention removes old files, with readers asking {@code history(key)} and {@code stateAt(v)} meanwhile: every
 * answer equals the model (in its own JVM: {@link HistoryIndexStressChild}).
 */
class HistoryIndexStressTest
{
    @TempDir
    Path dir;

    @Test
    void shouldIndexAndAnchorWhileAppendingCheckpointingAndRemovingOldFiles() throws Exception
    {
        final long seed = HistoryTestSupport.seed("HistoryIndexStressTest");
        final String out = ChildJvm.runToCompletion(HistoryIndexStressChild.class, dir, 600,
            dir.resolve("state").toString(), Long.toString(seed));
        assertTrue(out.contains("ok histories="), out);
        System.out.println(out);
    }
}
