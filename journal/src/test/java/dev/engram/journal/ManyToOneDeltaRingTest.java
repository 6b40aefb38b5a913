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
