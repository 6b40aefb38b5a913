package dev.engram.harness.replica;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code ./engram replica-soak}: 3 nodes in 3 JVMs, 3 cycles (the leader killed with SIGKILL in
 * cycles 1 and 3, frozen with SIGSTOP in cycle 2), the history checked after each cycle and at the end.
 * <p>
 * In the default run (about 60-80 s here; {@code -Dengram.test.replicaSoak=false} leaves it out). It was opt-in while
 * a follower could stop taking entries for good (1 run in 7 here; docs/replication.md, "Soak", run 3: Ratis' chained
 * follower appends, now off).
 */
@DisabledIfSystemProperty(named = "engram.test.replicaSoak", matches = "false")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ReplicaSoakTest
{
    /** Kept when the test fails: the nodes' directories and logs are what a diagnosis needs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void leaderKilledOrFrozenEveryCycleLosesNothingAndNodesAgree() throws Exception
    {
        final Path root = dir.resolve("soak");
        final List<String> lines = new ArrayList<>();
        final ReplicaSoak.Summary summary = new ReplicaSoak(new ReplicaSoak.Config(3, 1, 2, 2, 120, root, false))
            .run(line ->
            {
                System.out.println(line);
                lines.add(line);
            });
        System.out.println(summary.describe());
        assertTrue(summary.passed(), summary.describe());
        assertEquals(3, summary.cycles());
        assertEquals(2, summary.kills());
        assertEquals(1, summary.freezes());
        assertEquals(3, summary.failoverMs().size());
        assertEquals(3, summary.catchUpMs().size());
        assertEquals(3, lines.size());
        lines.forEach(line -> assertTrue(line.endsWith("checked on 3 nodes: ok"), line));
        final long acknowledged = summary.outcomes().get(SoakHistory.Outcome.ACKNOWLEDGED);
        // every cycle waits for 20 acknowledged writes after the failover
        assertTrue(acknowledged >= 60, summary.describe());
        assertTrue(summary.lastVersion() >= acknowledged, summary.describe());
        assertTrue(summary.describe().contains("failover (kill or freeze -> first write acknowledged by the new " +
            "leader): n=3 "), summary.describe());
        assertFalse(Files.exists(root), "a passed soak removes its directory");
    }
}
