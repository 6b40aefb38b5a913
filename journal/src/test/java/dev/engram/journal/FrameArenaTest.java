package dev.engram.journal;

import org.junit.jupiter.api.Test;

import static dev.engram.journal.DeltaRingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The arena's records: 8-byte aligned, never split at the end of the buffer, freed from the head in claim
 * order even when drained out of order, and refused (never waited for) when full or too long.
 */
class FrameArenaTest
{
    @Test
    void shouldKeepTheDocumentedCounterAndSlotOffsets()
    {
        assertEquals(0, ARENA_TAIL_OFFSET);
        assertEquals(128, ARENA_HEAD_OFFSET);
        assertEquals(256, ARENA_HEAD_CACHE_OFFSET);
        assertEquals(384, ARENA_COUNTERS_LENGTH);
        assertEquals(16, ARENA_POSITION_OFFSET);
        assertEquals(24, ARENA_CLAIMED_LENGTH_OFFSET);
        assertEquals(2, SLOT_FLAG_ARENA);
        assertEquals(4096, MIN_ARENA_LENGTH);
    }

    @Test
    void shouldAlignRecordsAndRefuseFramesOverAQuarter()
    {
        final FrameArena arena = new FrameArena(4096);
        assertEquals(1024, arena.maxFrameLength());
        assertEquals(FrameArena.FULL, arena.tryClaim(1025));
        final long first = arena.tryClaim(100);
        final long second = arena.tryClaim(8);
        assertEquals(0, first);
        assertEquals(104, second, "100 bytes take 104");
        assertEquals(0, arena.frameOffset(first, 100));
        assertEquals(104, arena.frameOffset(second, 8));
        assertEquals(112, arena.occupancy());
    }

    @Test
    void shouldPadToTheEndRatherThanSplitARecord()
    {
        final FrameArena arena = new FrameArena(4096);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i * 1024L, arena.tryClaim(1024));
        }
        final long filler = arena.tryClaim(1000);   // 3072..4072, 24 bytes left before the end
        assertEquals(3072, filler);
        arena.release(0, 1024);
        final long wrapped = arena.tryClaim(64);
        assertEquals(4072, wrapped, "claimed where the tail was");
        assertEquals(0, arena.frameOffset(wrapped, 64), "but the frame starts at the buffer's start");
        assertEquals(4096 - 1024 + 64, arena.occupancy(), "the 24 bytes of padding count as used");
    }

    @Test
    void shouldRefuseWhenFullAndFreeInClaimOrderWhateverTheDrainOrder()
    {
        final FrameArena arena = new FrameArena(4096);
        final long a = arena.tryClaim(1024);
        final long b = arena.tryClaim(1024);
        final long c = arena.tryClaim(1024);
        final long d = arena.tryClaim(1024);
        assertEquals(FrameArena.FULL, arena.tryClaim(8), "full");

        arena.release(c, 1024);   // drained before a and b (their slots came later)
        arena.release(b, 1024);
        assertEquals(FrameArena.FULL, arena.tryClaim(8), "nothing is free while the head record is held");
        arena.release(a, 1024);
        assertEquals(1024, arena.occupancy(), "a, b and c freed together once a was");
        assertEquals(4096, arena.tryClaim(1024));
        arena.release(d, 1024);
        assertEquals(1024, arena.occupancy());
    }

    @Test
    void shouldRejectBadLengths()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new FrameArena(5000));
        assertEquals("ring arena length must be a power of two >= 4096: arenaLength=5000", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FrameArena(2048));
        assertThrows(IllegalArgumentException.class,
            () -> Journal.open(new JournalContext().directory(java.nio.file.Path.of("unused")).ringArenaLength(3000)));
    }
}
