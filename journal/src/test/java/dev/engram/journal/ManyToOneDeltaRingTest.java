package dev.engram.journal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ManyToOneDeltaRingTest
{
    @Test
    void shouldReportFullUntilTheConsumerReleases()
    {
        final ManyToOneDeltaRing ring = new ManyToOneDeltaRing(4, 64);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i, ring.tryClaim());
        }
        assertEquals(ManyToOneDeltaRing.INSUFFICIENT_CAPACITY, ring.tryClaim());
        assertFalse(ring.isPublished(0));
        ring.publish(0, 28);
        assertTrue(ring.isPublished(0));
        assertEquals(28, ring.frameLength(0));
        ring.release(1);
        assertEquals(4, ring.tryClaim());
        assertEquals(ManyToOneDeltaRing.INSUFFICIENT_CAPACITY, ring.tryClaim());
        assertEquals(4, ring.occupancy());
    }

    @Test
    void shouldNotMistakeAnOldLapForAPublishedSlot()
    {
        final ManyToOneDeltaRing ring = new ManyToOneDeltaRing(2, 64);
        assertEquals(0, ring.tryClaim());
        ring.publish(0, 28);
        ring.release(1);
        assertEquals(1, ring.tryClaim());
        assertEquals(2, ring.tryClaim());             // same slot as sequence 0
        assertFalse(ring.isPublished(2), "slot still holds sequence 0's publication");
        ring.publish(2, 30);
        assertTrue(ring.isPublished(2));
    }

    @Test
    void shouldCarryOversizeFramesBesideTheRing()
    {
        final ManyToOneDeltaRing ring = new ManyToOneDeltaRing(2, 64);
        final long sequence = ring.tryClaim();
        final byte[] big = new byte[1000];
        ring.publishOversize(sequence, big);
        assertTrue(ring.isPublished(sequence));
        assertSame(big, ring.takeOversize(sequence));
        assertNull(ring.takeOversize(sequence));
    }

    @Test
    void shouldRecordWhereAnArenaFrameIsAtTheDocumentedSlotOffsets()
    {
        final ManyToOneDeltaRing ring = new ManyToOneDeltaRing(2, 64, 4096);
        assertNull(ring.arena(), "allocated by the journal thread, not at construction");
        ring.allocateArena();
        final long sequence = ring.tryClaim();
        final long position = ring.arena().tryClaim(700);
        ring.publishArena(sequence, 40, position, 700);
        assertTrue(ring.isPublished(sequence));
        assertEquals(DeltaRingDescriptor.SLOT_FLAG_ARENA, ring.slotFlags(sequence));
        assertEquals(40, ring.frameLength(sequence));
        assertEquals(position, ring.arenaPosition(sequence));
        assertEquals(700, ring.arenaClaimedLength(sequence));
        final int slot = ring.frameOffset(sequence) - DeltaRingDescriptor.SLOT_HEADER_LENGTH;
        assertEquals(position, ring.buffer().getLong(slot + 16));
        assertEquals(700, ring.buffer().getInt(slot + 24));
        assertEquals(DeltaRingDescriptor.SLOT_FLAG_ARENA, ring.buffer().getInt(slot + 12));
        assertNull(ring.takeOversize(sequence), "an arena slot carries no heap frame");
    }

    @Test
    void shouldRefuseClaimsOnceClosed()
    {
        final ManyToOneDeltaRing ring = new ManyToOneDeltaRing(4, 64);
        ring.tryClaim();
        ring.tryClaim();
        assertEquals(2, ring.close());
        assertEquals(ManyToOneDeltaRing.CLOSED, ring.tryClaim());
        assertEquals(2, ring.claimedSequence());
        assertEquals(2, ring.close());
    }

    @Test
    void shouldRejectBadGeometry()
    {
        assertThrows(IllegalArgumentException.class, () -> new ManyToOneDeltaRing(3, 64));
        assertThrows(IllegalArgumentException.class, () -> new ManyToOneDeltaRing(4, 60));
        assertThrows(IllegalArgumentException.class, () -> new ManyToOneDeltaRing(4, 16));
    }
}
