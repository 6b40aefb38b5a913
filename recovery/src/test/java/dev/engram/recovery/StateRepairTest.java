package dev.engram.recovery;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A damaged block in the newest checkpoint, found after open (blocks are verified lazily by default): reads of
 * its keys are refused, never served, and the store rebuilds a full checkpoint from the older intact chain plus
 * the journal, after which every key reads right and checkpointing carries on.
 */
class StateRepairTest
{
    private static final int KEYS = 2000;

    @TempDir
    Path dir;

    private StateContext ctx(final boolean background)
    {
        return new StateContext().directory(dir).background(background).snapshotIndex(false).keepOlderChains(1)
            .checkpointIntervalMs(0).checkpointEveryFrames(Long.MAX_VALUE / 4).checkpointEveryBytes(Long.MAX_VALUE / 4);
    }

    private static byte[] value(final int key, final int round)
    {
        return ("k/" + key + "@" + round).getBytes(StandardCharsets.UTF_8);
    }

    private static void round(final StateStore store, final int keys, final int round)
    {
        final Delta delta = store.journal().newDelta();
        long v = 0;
        for (int i = 0; i < keys; i++)
        {
            v = store.journal().append(delta.clear().put("k/" + i, value(i, round)));
        }
        assertTrue(store.awaitApplied(v, 60, TimeUnit.SECONDS));
    }

    /**
     * Two full checkpoints (round 1, round 2), a tail changing the first tenth of the keys (round 3), then a
     * bit flipped inside the newest checkpoint's first data block.
     */
    private Path buildAndDamage() throws IOException
    {
        try (StateStore store = StateStore.open(ctx(false)))
        {
            round(store, KEYS, 1);
            assertFalse(store.checkpoint().isDelta());
            round(store, KEYS, 2);
            assertFalse(store.checkpoint().isDelta(), "every key changed: a full checkpoint");
            round(store, KEYS / 10, 3);
        }
        final List<Path> checkpoints;
        try (var files = Files.list(dir.resolve("checkpoints")))
        {
            checkpoints = files.filter(p -> p.toString().endsWith(".ckp")).sorted(Comparator.naturalOrder()).toList();
        }
        final Path newest = checkpoints.get(checkpoints.size() - 1);
        try (RandomAccessFile raf = new RandomAccessFile(newest.toFile(), "rw"))
        {
            raf.seek(200);   // inside the first data block
            final int b = raf.read();
            raf.seek(200);
            raf.write(b ^ 0x10);
        }
        return newest;
    }

    private static void assertEveryKeyReadsRight(final StateStore store)
    {
        try (StateReader reader = store.newReader())
        {
            for (int i = 0; i < KEYS; i++)
            {
                assertArrayEquals(value(i, i < KEYS / 10 ? 3 : 2), reader.get("k/" + i), "k/" + i);
            }
            assertEquals(KEYS, reader.forEach("k/", (k, ko, kl, v, vo, vl) -> { }));
        }
    }

    @Test
    void shouldRefuseDamagedKeysThenRebuildFromTheIntactChainOnTheNextCheckpoint() throws IOException
    {
        final Path damaged = buildAndDamage();
        try (StateStore store = StateStore.open(ctx(false)))
        {
            try (StateReader reader = store.newReader())
            {
                assertArrayEquals(value(0, 3), reader.get("k/0"), "a key changed after the checkpoint reads from the overlay");
                final CheckpointCorruptionException refused = assertThrows(CheckpointCorruptionException.class,
                    () -> reader.get("k/" + (KEYS - 1)));
                assertTrue(refused.getMessage().contains(damaged.getFileName().toString()), refused.getMessage());
            }
            assertTrue(store.damagedFiles().stream().anyMatch(f -> f.contains(damaged.getFileName().toString())),
                store.damagedFiles().toString());

            final CheckpointInfo rebuilt = store.checkpoint();   // used to throw the same CRC error, forever
            assertFalse(rebuilt.isDelta());
            assertEquals(1, store.repairs().size(), store.repairs().toString());
            assertEveryKeyReadsRight(store);

            round(store, 10, 4);
            assertNotNull(store.checkpoint(), "checkpointing carries on after the repair");
        }
        try (StateStore store = StateStore.open(ctx(false).verifyBlocksOnOpen(true)))
        {
            try (StateReader reader = store.newReader())
            {
                assertArrayEquals(value(5, 4), reader.get("k/5"));
                assertArrayEquals(value(KEYS - 1, 2), reader.get("k/" + (KEYS - 1)));
            }
        }
    }

    @Test
    void shouldRepairInTheBackgroundAfterAReadFindsTheDamage() throws Exception
    {
        buildAndDamage();
        try (StateStore store = StateStore.open(ctx(true)))
        {
            try (StateReader reader = store.newReader())
            {
                assertThrows(CheckpointCorruptionException.class, () -> reader.get("k/" + (KEYS - 1)));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (store.repairs().isEmpty() && System.nanoTime() - deadline < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals(1, store.repairs().size(), "the checkpointer repairs without being asked again");
            assertEveryKeyReadsRight(store);
        }
    }

    @Test
    void shouldNotFailTheStoreWhenAPatchNeedsADamagedBlockButWaitForTheRepair() throws Exception
    {
        buildAndDamage();
        try (StateStore store = StateStore.open(ctx(true)))
        {
            final int victim = KEYS - 1;   // in the damaged block, not in the overlay
            final byte[] patch = "PATCHED".getBytes(StandardCharsets.UTF_8);
            final long v = store.journal().append(store.journal().newDelta()
                .put("other", new byte[] {7})
                .patch("k/" + victim, 0, patch));
            // the applier cannot apply it against the damaged block: it waits for the repaired chain instead of
            // failing the store (it used to die: "state store failed" on every later call)
            assertTrue(store.awaitApplied(v, 120, TimeUnit.SECONDS), "applied after the repair: " + store.applierStalledReason());
            assertNull(store.applierStalledReason());
            assertEquals(1, store.repairs().size(), store.repairs().toString());
            try (StateReader reader = store.newReader())
            {
                final byte[] expected = value(victim, 2);
                System.arraycopy(patch, 0, expected, 0, patch.length);
                assertArrayEquals(expected, reader.get("k/" + victim));
                assertArrayEquals(new byte[] {7}, reader.get("other"));
            }
            final long next = store.journal().append(store.journal().newDelta().patch("k/" + (victim - 1), 0, patch));
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS), "the applier goes on after the repair");
        }
    }
}
