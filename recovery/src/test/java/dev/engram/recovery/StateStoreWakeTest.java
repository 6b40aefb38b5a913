package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Read-your-own-write does not wait out the background threads' idle parks: with a journal writer and an
 * applier that each park for an hour when idle, {@code awaitApplied} still returns and the value reads back,
 * and close does not wait for the parks either.
 */
class StateStoreWakeTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWakeTheWriterAndTheApplierForAWaitOnApplied()
    {
        final StateContext ctx = new StateContext().directory(dir).checkpointIntervalMs(0)
            .applierIdleStrategySupplier(() -> new BackoffIdleStrategy(0, 0, HOUR_NS, HOUR_NS));
        ctx.journal().writerIdleStrategySupplier(() -> new BackoffIdleStrategy(0, 0, HOUR_NS, HOUR_NS));
        try (StateStore store = StateStore.open(ctx))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            for (int i = 1; i <= 20; i++)
            {
                final byte[] value = ("value-" + i).getBytes(StandardCharsets.UTF_8);
                final long version = journal.append(delta.clear().put("key", value));
                assertTrue(store.awaitApplied(version, 20, TimeUnit.SECONDS), "applied, round " + i);
                try (StateReader reader = store.newReader())
                {
                    assertArrayEquals(value, reader.get("key"), "round " + i);
                }
            }
        }
    }
}
