package dev.engram.recovery;

import dev.engram.journal.JournalBridgeDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A state store reopened after a crash while its journal's background open was still opening the queue: the versions
 * written meanwhile are only in the journal's bridge file. The fast path steps aside (its scan reads cycle files), the
 * journal's open copies the bridge into the queue, and the full path recovers every version; the next open is fast
 * again.
 */
class StateBridgeTest
{
    @TempDir
    Path root;

    @Test
    void aBridgeACrashLeftIsRecoveredOnTheFullPathAndTheNextOpenIsFast()
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.bridge, dir);
        assertTrue(Files.exists(dir.resolve("journal").resolve(JournalBridgeDescriptor.FILE_NAME)));
        try (StateStore store = StateStore.open(fixture.context(dir)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(FaultFixture.BRIDGE_VERSION, report.recoveredVersion(), report::describe);
            assertTrue(report.replayPath().contains("bridge"), report.replayPath());
            assertFalse(Files.exists(dir.resolve("journal").resolve(JournalBridgeDescriptor.FILE_NAME)));
            assertState(store, fixture.model(FaultFixture.BRIDGE_VERSION));
            final long next = store.journal().append(FaultFixture.WORKLOAD.fill(FaultFixture.BRIDGE_VERSION + 1,
                store.journal().newDelta()));
            assertEquals(FaultFixture.BRIDGE_VERSION + 1, next);
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS));
        }
        try (StateStore store = StateStore.open(fixture.context(dir)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(FaultFixture.BRIDGE_VERSION + 1, report.recoveredVersion(), report::describe);
            assertTrue(report.replayPath().startsWith("fast"), report.replayPath());
            assertState(store, fixture.model(FaultFixture.BRIDGE_VERSION + 1));
        }
    }

    private static void assertState(final StateStore store, final Map<String, byte[]> model)
    {
        SeededWorkload.assertStoreHolds(store, model);
    }
}
