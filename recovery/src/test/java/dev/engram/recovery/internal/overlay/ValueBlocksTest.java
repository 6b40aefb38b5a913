package dev.engram.recovery.internal.overlay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ValueBlocksTest
{
    /** Counts like an overlay does. */
    private static final class Counting implements OffHeapArena.AccountRef
    {
        long reserved;
        long used;

        @Override
        public void reserve(final long bytes)
        {
            reserved += bytes;
        }

        @Override
        public void release(final long bytes)
        {
            reserved -= bytes;
        }

        @Override
        public void use(final long delta)
        {
            used += delta;
        }
    }

    @Test
    void shouldRoundToFourClassesPerPowerOfTwoAndMapEachClassToOneIndex()
    {
        assertEquals(64, ValueBlocks.classCapacity(1));
        assertEquals(80, ValueBlocks.classCapacity(65));
        assertEquals(128, ValueBlocks.classCapacity(128));
        assertEquals(160, ValueBlocks.classCapacity(129));
        assertEquals(384 * 1024, ValueBlocks.classCapacity(330 * 1024));
        long previous = 0;
        for (int index = 0; ValueBlocks.capacityOfClass(index) <= ValueBlocks.MAX_CLASSED; index++)
        {
            final long capacity = ValueBlocks.capacityOfClass(index);
            assertTrue(capacity > previous, "classes grow: " + index);
            assertEquals(index, ValueBlocks.classIndex(capacity), "capacity=" + capacity);
            assertEquals(capacity, ValueBlocks.classCapacity(capacity));
            assertEquals(capacity, ValueBlocks.classCapacity(previous + 1), "the next class up from " + previous);
            assertTrue(capacity <= 64 || capacity <= (previous + 1) * 1.25 + 16, "at most 25 % over: " + capacity);
            previous = capacity;
        }
        assertEquals(ValueBlocks.MAX_CLASSED, previous);
    }

    @Test
    void shouldReuseAGivenUpBlockForAnyValueOfAboutItsSize()
    {
        final Counting account = new Counting();
        try (ValueBlocks blocks = new ValueBlocks(account))
        {
            final long a = blocks.take(300 * 1024);
            final long capacity = blocks.takenCapacity();
            assertEquals(capacity, account.used);
            blocks.release(a, capacity);
            assertEquals(0, account.used);
            final long reservedBefore = account.reserved;
            assertEquals(a, blocks.take(280 * 1024), "a block of the next class down reuses the free one");
            assertEquals(capacity, blocks.takenCapacity());
            assertEquals(reservedBefore, account.reserved, "nothing new taken");
            assertNotEquals(a, blocks.take(300 * 1024), "the free block is in use again");
        }
        assertEquals(0, account.reserved, "close gives everything back");
        assertEquals(0, account.used);
    }

    @Test
    void shouldFreeALargeBlockAtOnceOnlyWhenNoReaderCanSeeTheOverlay()
    {
        final Counting shared = new Counting();
        final Counting own = new Counting();
        try (ValueBlocks readable = new ValueBlocks(shared); ValueBlocks build = new ValueBlocks(own))
        {
            build.freeOnRelease();
            final long r = readable.take(1 << 20);
            readable.release(r, readable.takenCapacity());
            final long b = build.take(1 << 20);
            build.release(b, build.takenCapacity());
            assertTrue(shared.reserved >= 1 << 20, "kept mapped for readers until close");
            assertEquals(0, own.reserved, "a private build frees it at once");
        }
    }
}
