package dev.engram.recovery.internal.checkpoint;

import net.openhft.chronicle.core.OS;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.UnsafeApi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects (key hash, location) pairs off-heap while a checkpoint is written (16 bytes per entry), then
 * lays out the open-addressing table of {@link InFileIndexDescriptor} directly in the file through a
 * read-write mapping, so the table itself never sits in Java memory. Pairs whose 64-bit hashes are equal
 * are reported back so the writer can tell a hash twin from a duplicate key. Single-threaded.
 */
final class InFileIndexBuilder
{
    private final ExpandableDirectByteBuffer pairs = new ExpandableDirectByteBuffer(64 * 1024);
    private long count;

    void add(final long keyHash, final long location)
    {
        final long offset = count * 16;
        if (offset + 16 > ExpandableDirectByteBuffer.MAX_BUFFER_LENGTH)
        {
            throw new IllegalStateException("too many entries for one checkpoint: entries=" + count);
        }
        pairs.putLong((int)offset, keyHash);
        pairs.putLong((int)offset + 8, location);
        count++;
    }

    long count()
    {
        return count;
    }

    long slotCount()
    {
        return InFileIndexDescriptor.slotCountFor(count);
    }

    /**
     * Fill the index region {@code [indexOffset, indexOffset + slotCount * 16)} of the file, which must
     * already be at least that long (the region reads as zeros).
     *
     * @param twins receives pairs of locations whose hashes are equal.
     * @return the CRC32C of the region.
     */
    int writeTo(final Path file, final FileChannel channel, final long indexOffset, final List<long[]> twins) throws IOException
    {
        final long slotCount = slotCount();
        final long mask = slotCount - 1;
        final long regionLength = slotCount * InFileIndexDescriptor.SLOT_LENGTH;
        final long alignment = OS.mapAlignment();
        final long mapStart = indexOffset - (indexOffset % alignment);
        final long mapLength = indexOffset + regionLength - mapStart;
        final long mapAddress = OS.map(channel, FileChannel.MapMode.READ_WRITE, mapStart, mapLength);
        try
        {
            // the region is a hole of the temp file: no read-ahead zero-filling megabytes per fault
            dev.engram.journal.internal.ReadAhead.disable(mapAddress, mapLength);
            final long region = mapAddress + (indexOffset - mapStart);
            // random writes into a hole fault a page each: short chunks on a paced background thread (BackgroundPacing)
            final dev.engram.journal.internal.BackgroundPacing pacing = dev.engram.journal.internal.BackgroundPacing.forThread();
            for (long i = 0; i < count; i++)
            {
                if ((i & 63) == 0)
                {
                    pacing.tick();
                }
                final long hash = pairs.getLong((int)(i * 16));
                final long location = pairs.getLong((int)(i * 16) + 8);
                long slot = hash & mask;
                while (true)
                {
                    final long slotAddress = region + InFileIndexDescriptor.slotOffset(slot);
                    final long stored = UnsafeApi.getLongUnaligned(null, slotAddress, false);
                    if (stored == InFileIndexDescriptor.EMPTY_HASH)
                    {
                        UnsafeApi.putLongUnaligned(null, slotAddress, hash, false);
                        UnsafeApi.putLongUnaligned(null, slotAddress + InFileIndexDescriptor.LOCATION_OFFSET, location, false);
                        break;
                    }
                    if (stored == hash)
                    {
                        twins.add(new long[] {
                            UnsafeApi.getLongUnaligned(null, slotAddress + InFileIndexDescriptor.LOCATION_OFFSET, false), location});
                    }
                    slot = (slot + 1) & mask;
                }
            }
            return Crc32cMemory.compute(region, regionLength);
        }
        finally
        {
            OS.unmap(mapAddress, mapLength);
        }
    }

    static List<long[]> newTwinList()
    {
        return new ArrayList<>(0);
    }
}
