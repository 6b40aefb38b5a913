package dev.engram.recovery.internal.overlay;

import org.agrona.UnsafeApi;
import org.agrona.collections.LongHashSet;

/**
 * The overlay's blocks for materialised (patched) values, by size class, with reuse. A block's capacity is one of
 * four classes per power of two (64, 80, 96, 112, 128, 160, ... bytes: at most 25 % over what was asked), so a
 * block a key gives up (its value grew, or a PUT or DELETE replaced it) fits the next value of about that size,
 * of that key or any other, and memory follows the largest set of values held at once instead of every value
 * ever patched.
 * <p>
 * Blocks up to {@value #SMALL_MAX} bytes come from an {@link OffHeapArena} (chunks of up to 4 MiB); larger ones
 * are a {@code malloc} each. A block given up goes to its class's free list. While readers can see the overlay
 * ({@link #shared}: the default) nothing is freed before {@link #close()} — a reader still copying from a block
 * that left its entry fails its seqlock re-check and retries, but the memory must stay mapped under it. An overlay
 * no other thread can see (a checkpoint build's) frees a large block at once when it is given up.
 * <p>
 * Single-threaded: the overlay's writer. Free lists live on the heap (an address per block), blocks stay untouched.
 */
final class ValueBlocks implements AutoCloseable
{
    static final int MIN_CAPACITY = 64;
    /** Blocks up to this many bytes come from the arena's chunks; larger ones are allocated (and freed) alone. */
    static final int SMALL_MAX = 64 * 1024;
    /** Capacities over this are not classed (exact length, never on a free list). */
    static final long MAX_CLASSED = 1L << 30;
    private static final int CLASSES = classIndex(MAX_CLASSED) + 1;
    /** A free block of up to this many classes larger is taken before a new block is allocated. */
    private static final int LARGER_CLASSES_TAKEN = 2;

    private final OffHeapArena.AccountRef account;
    private final OffHeapArena small;
    private final LongHashSet dedicated = new LongHashSet();
    private final long[][] free = new long[CLASSES][];
    private final int[] freeCount = new int[CLASSES];
    private boolean shared = true;
    private long dedicatedBytes;
    private long takenBytes;
    private long inUseBytes;
    private long takenCapacity;

    ValueBlocks(final OffHeapArena.AccountRef account)
    {
        this.account = account;
        this.small = new OffHeapArena(256 * 1024, 4 * 1024 * 1024, account);
    }

    /**
     * @param wanted bytes (more than 0).
     * @return the capacity of the block {@link #take} gives for it.
     */
    static long classCapacity(final long wanted)
    {
        if (wanted <= MIN_CAPACITY)
        {
            return MIN_CAPACITY;
        }
        if (wanted > MAX_CLASSED)
        {
            return (wanted + OffHeapArena.ALIGNMENT - 1) & -OffHeapArena.ALIGNMENT;
        }
        final long step = 1L << (61 - Long.numberOfLeadingZeros(wanted - 1));
        return (wanted + step - 1) & -step;
    }

    /**
     * @param capacity a class capacity ({@link #classCapacity}) up to {@link #MAX_CLASSED}.
     * @return its class.
     */
    static int classIndex(final long capacity)
    {
        if (capacity <= MIN_CAPACITY)
        {
            return 0;
        }
        final int shift = 61 - Long.numberOfLeadingZeros(capacity - 1);
        return (shift - 4) * 4 + (int)(capacity >>> shift) - 4;
    }

    static long capacityOfClass(final int index)
    {
        if (index == 0)
        {
            return MIN_CAPACITY;
        }
        final int shift = 4 + (index - 1) / 4;
        return (long)((index - 1) % 4 + 5) << shift;
    }

    /**
     * Readers cannot see this overlay (a private build): a large block given up is freed at once.
     */
    void freeOnRelease()
    {
        shared = false;
    }

    /**
     * @param wanted bytes the block must hold.
     * @return the block's address (not zeroed); its capacity is {@link #takenCapacity()}.
     */
    long take(final long wanted)
    {
        final long capacity = classCapacity(wanted);
        if (capacity <= MAX_CLASSED)
        {
            final int index = classIndex(capacity);
            for (int i = index, last = Math.min(CLASSES - 1, index + LARGER_CLASSES_TAKEN); i <= last; i++)
            {
                if (freeCount[i] > 0)
                {
                    final long address = free[i][--freeCount[i]];
                    return taken(address, capacityOfClass(i));
                }
            }
        }
        final long address;
        if (capacity <= SMALL_MAX)
        {
            address = small.allocate(capacity);
        }
        else
        {
            account.reserve(capacity);   // may refuse (a build over its limit): nothing taken then
            try
            {
                address = UnsafeApi.allocateMemory(capacity);
            }
            catch (final Throwable ex)
            {
                account.release(capacity);
                throw ex;
            }
            dedicated.add(address);
            dedicatedBytes += capacity;
        }
        takenBytes += capacity;
        return taken(address, capacity);
    }

    private long taken(final long address, final long capacity)
    {
        takenCapacity = capacity;
        inUseBytes += capacity;
        account.use(capacity);
        return address;
    }

    /**
     * @return the capacity of the block the last {@link #take} returned.
     */
    long takenCapacity()
    {
        return takenCapacity;
    }

    /**
     * A block no entry uses any more (its entry's sequence already moved on): reused, or freed if nothing can see it.
     */
    void release(final long address, final long capacity)
    {
        inUseBytes -= capacity;
        account.use(-capacity);
        if (!shared && capacity > SMALL_MAX)
        {
            dedicated.remove(address);
            dedicatedBytes -= capacity;
            UnsafeApi.freeMemory(address);
            account.release(capacity);
            return;
        }
        if (capacity > MAX_CLASSED)
        {
            return;   // kept until close (only a value over 1 GiB gets here)
        }
        final int index = classIndex(capacity);
        long[] list = free[index];
        if (list == null)
        {
            list = free[index] = new long[8];
        }
        else if (freeCount[index] == list.length)
        {
            list = free[index] = java.util.Arrays.copyOf(list, list.length * 2);
        }
        list[freeCount[index]++] = address;
    }

    /**
     * @return bytes ever handed out as new blocks (reuse not counted).
     */
    long takenBytes()
    {
        return takenBytes;
    }

    /**
     * @return capacity of the blocks entries hold now.
     */
    long inUseBytes()
    {
        return inUseBytes;
    }

    @Override
    public void close()
    {
        small.close();
        final LongHashSet.LongIterator it = dedicated.iterator();
        while (it.hasNext())
        {
            UnsafeApi.freeMemory(it.nextValue());
        }
        dedicated.clear();
        account.release(dedicatedBytes);
        dedicatedBytes = 0;
        account.use(-inUseBytes);
        inUseBytes = 0;
        java.util.Arrays.fill(freeCount, 0);
    }
}
