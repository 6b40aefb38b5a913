package dev.engram.recovery.internal.overlay;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.OpType;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.recovery.internal.overlay.TailRecordDescriptor.*;

/**
 * Indexes a long journal tail into an {@link Overlay} in two passes, so that the overlay's hash table is
 * filled slice by slice instead of at random (a radix-partitioned build).
 * <p>
 * Pass 1 ({@link #onFrame}): each op becomes a small record ({@link TailRecordDescriptor}: key hash,
 * version, where its data lies in the journal, and a copy of the key) appended to one of
 * {@code 2^partitionBits} partitions chosen by the top bits of the key's hash. Records are written
 * sequentially, one stream per partition; values are not copied.
 * <p>
 * Pass 2 ({@link #finish()}): the partitions are applied one after another, each in arrival order. The
 * overlay's home slot is also taken from the top bits of the hash ({@link Overlay#homeSlot}), so the keys of
 * one partition live in one contiguous slice of the table, and their entries are allocated next to each
 * other: pass 2 works inside a cache-sized window instead of missing the cache (and the TLB) once or twice
 * per frame, which is what an ordinary insert per frame does for a tail of a million keys.
 * <p>
 * Same result as {@link TailIndexer}: the ops of one key keep their journal order because a key always
 * falls into the same partition and a partition is applied in arrival order; different keys do not
 * interact (a PATCH reads only its own key's current value). Records are buffered up to a memory budget;
 * when it is reached the buffered partitions are applied early, which keeps the order and bounds memory.
 * Record memory is counted in the overlay's {@link OffHeapAccount} (the buffer budget is at most a quarter of its
 * limit) and freed after each apply and on close. Single-threaded, like the overlay's writer.
 */
public final class PartitionedTailIndexer implements FrameHandler, AutoCloseable
{
    /** Memory buffered before the partitions are applied early (the tail need not fit). */
    public static final long DEFAULT_BUFFER_BUDGET = 256L * 1024 * 1024;
    /** Table slots per partition aimed at: 8,192 slots x 16 bytes = a 128 KiB slice of the table. */
    private static final int SLOTS_PER_PARTITION = 8192;
    private static final int MAX_PARTITION_BITS = 12;
    private static final int BLOCK_LENGTH = 64 * 1024;
    /** Native memory is taken in chunks of this many bytes (also the size {@link PrefaultedChunks} should prepare). */
    public static final int CHUNK_LENGTH = 8 * 1024 * 1024;
    /** Record bytes per op assumed when sizing {@link PrefaultedChunks} (header + a short key). */
    public static final int TYPICAL_RECORD_LENGTH = 48;

    private final Overlay overlay;
    private final Overlay.BaseValues base;
    private final long bufferBudget;
    /** {@link #CHUNK_LENGTH}, or less under a small memory limit. */
    private final int chunkLength;
    private final int partitionBits;
    private final long[] firstBlock;
    private final long[] currentBlock;
    private final long[] writeAddress;
    private final long[] blockEnd;
    private final UnsafeBuffer record = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer data = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer reasonBuffer = new UnsafeBuffer(0, 0);
    /** Reasons of the quarantine records buffered (a record holds the index). */
    private final java.util.List<byte[]> reasons = new java.util.ArrayList<>();
    private FrameQuarantine.Listener quarantineListener = FrameQuarantine.NONE;
    private PrefaultedChunks prefaulted;
    private long[] chunks = new long[16];
    private int chunkCount;
    private long chunkNext;
    private long chunkEnd;
    private long reservedBytes;
    private long bufferedRecords;
    private long frames;
    private long lastVersion;
    private int lastCycle;
    private long lastPosition;

    /**
     * @param overlay the overlay to fill (the partitions follow its table's size when created; it is grown to
     *                fit before records are applied).
     * @param base    current values of keys the overlay does not hold (PATCH of an unchanged key).
     */
    public PartitionedTailIndexer(final Overlay overlay, final Overlay.BaseValues base)
    {
        this(overlay, base, DEFAULT_BUFFER_BUDGET);
    }

    public PartitionedTailIndexer(final Overlay overlay, final Overlay.BaseValues base, final long bufferBudget)
    {
        this(overlay, base, bufferBudget, overlay.tableSlots() / 2);
    }

    /**
     * @param expectedOps ops the tail is expected to hold: the partitions are cut for the table that many keys
     *                    would need (the overlay itself may start small: {@link #finish()} grows it once, to fit).
     */
    public PartitionedTailIndexer(final Overlay overlay, final Overlay.BaseValues base, final long bufferBudget,
        final long expectedOps)
    {
        this.overlay = overlay;
        this.base = base;
        // the records count in the overlay's account: at most a quarter of its limit goes to buffering
        this.bufferBudget = Math.min(bufferBudget, Math.max(4L * BLOCK_LENGTH, overlay.account().limit() / 4));
        this.chunkLength = (int)Math.min(CHUNK_LENGTH, Math.max(BLOCK_LENGTH, this.bufferBudget / 4));
        this.partitionBits = partitionBits((int)Math.min(1 << 30, Long.highestOneBit(Math.max(8, expectedOps * 2 - 1)) << 1));
        final int partitions = 1 << partitionBits;
        this.firstBlock = new long[partitions];
        this.currentBlock = new long[partitions];
        this.writeAddress = new long[partitions];
        this.blockEnd = new long[partitions];
    }

    /**
     * @param tableSlots the overlay's table size (a power of two).
     * @return how many top hash bits choose a partition, so each partition's slice of the table stays small.
     */
    static int partitionBits(final int tableSlots)
    {
        final int bits = Integer.numberOfTrailingZeros(Math.max(1, tableSlots / SLOTS_PER_PARTITION));
        return Math.min(MAX_PARTITION_BITS, bits);
    }

    int partitionBits()
    {
        return partitionBits;
    }

    /**
     * Take record memory from chunks a helper thread has already faulted in, while there are any.
     *
     * @param chunks chunks of {@link #CHUNK_LENGTH} bytes (the caller closes it after {@link #finish()}).
     * @return this.
     */
    public PartitionedTailIndexer prefaultedChunks(final PrefaultedChunks chunks)
    {
        this.prefaulted = chunks;
        return this;
    }

    @Override
    public void onFrame(final DeltaFrame frame)
    {
        final long version = frame.version();
        final int cycle = frame.cycle();
        final long framePosition = frame.filePosition();
        final DirectBuffer buffer = frame.buffer();
        final byte[] array = buffer.byteArray();
        final long bufferAddress = buffer.addressOffset();
        boolean applicable = true;
        while (frame.nextOp())
        {
            final OpType type = frame.opType();
            if (!FrameQuarantine.withinLimits(type, frame.patchOffset(), frame.dataLength()))
            {
                applicable = false;
                break;
            }
            final int keyLength = frame.keyLength();
            final long keyAddress = bufferAddress + frame.keyOffset();
            final long hash = KeyHash.hash(array, keyAddress, keyLength);
            final int partition = partitionBits == 0 ? 0 : (int)(hash >>> (64 - partitionBits));
            final boolean patch = type == OpType.PATCH;
            final int length = recordLength(keyLength, patch);
            final long address = reserve(partition, length);
            UnsafeApi.putLong(address + length - 8, 0);   // first: zero the padding (record memory is not zeroed)
            UnsafeApi.putInt(address + CYCLE_OFFSET, cycle);
            UnsafeApi.putShort(address + KEY_LENGTH_OFFSET, (short)keyLength);
            UnsafeApi.putByte(address + OP_OFFSET, type.code());
            UnsafeApi.putByte(address + OP_OFFSET + 1, (byte)0);
            UnsafeApi.putLong(address + HASH_OFFSET, hash);
            UnsafeApi.putLong(address + VERSION_OFFSET, version);
            UnsafeApi.putLong(address + DATA_POSITION_OFFSET, framePosition + frame.dataOffset());
            UnsafeApi.putInt(address + DATA_LENGTH_OFFSET, frame.dataLength());
            UnsafeApi.copyMemory(array, keyAddress, null, address + KEY_OFFSET, keyLength);
            if (patch)
            {
                UnsafeApi.putLong(address + patchOffsetOffset(keyLength), frame.patchOffset());
            }
            bufferedRecords++;
        }
        if (!applicable)
        {
            // a delta is applied whole or not at all: each of its keys gets a quarantine record after whatever
            // records of this frame went before (same key, same partition: applied later, so it wins)
            quarantineRecords(frame, version, cycle, framePosition);
        }
        frames++;
        lastVersion = version;
        lastCycle = cycle;
        lastPosition = framePosition;
        if (reservedBytes >= bufferBudget)
        {
            apply();
        }
    }

    private void quarantineRecords(final DeltaFrame frame, final long version, final int cycle, final long framePosition)
    {
        String problem = FrameQuarantine.problem(frame);
        if (problem == null)
        {
            problem = "an op outside the engine's limits";
        }
        final byte[] reason = FrameQuarantine.reason(version, cycle, framePosition, problem)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        reasons.add(reason);
        final DirectBuffer buffer = frame.buffer();
        final byte[] array = buffer.byteArray();
        final long bufferAddress = buffer.addressOffset();
        while (frame.nextOp())
        {
            final int keyLength = frame.keyLength();
            final long keyAddress = bufferAddress + frame.keyOffset();
            final long hash = KeyHash.hash(array, keyAddress, keyLength);
            final int partition = partitionBits == 0 ? 0 : (int)(hash >>> (64 - partitionBits));
            final int length = recordLength(keyLength, false);
            final long address = reserve(partition, length);
            UnsafeApi.putLong(address + length - 8, 0);
            UnsafeApi.putInt(address + CYCLE_OFFSET, cycle);
            UnsafeApi.putShort(address + KEY_LENGTH_OFFSET, (short)keyLength);
            UnsafeApi.putByte(address + OP_OFFSET, QUARANTINE_OP);
            UnsafeApi.putByte(address + OP_OFFSET + 1, (byte)0);
            UnsafeApi.putLong(address + HASH_OFFSET, hash);
            UnsafeApi.putLong(address + VERSION_OFFSET, version);
            UnsafeApi.putLong(address + DATA_POSITION_OFFSET, reasons.size() - 1);
            UnsafeApi.putInt(address + DATA_LENGTH_OFFSET, reason.length);
            UnsafeApi.copyMemory(array, keyAddress, null, address + KEY_OFFSET, keyLength);
            bufferedRecords++;
        }
        frame.resetOps();
    }

    /**
     * @param listener told about each key quarantined because a frame could not be applied.
     * @return this.
     */
    public PartitionedTailIndexer onQuarantine(final FrameQuarantine.Listener listener)
    {
        this.quarantineListener = listener;
        return this;
    }

    private long reserve(final int partition, final int length)
    {
        final long address = writeAddress[partition];
        if (address != 0 && address + length <= blockEnd[partition])
        {
            writeAddress[partition] = address + length;
            return address;
        }
        return newBlock(partition, length);
    }

    private long newBlock(final int partition, final int length)
    {
        final long capacity = Math.max(BLOCK_LENGTH, BLOCK_HEADER_LENGTH + (long)length);
        final long fresh = allocate(capacity);
        UnsafeApi.putLong(fresh + BLOCK_NEXT_OFFSET, 0);
        UnsafeApi.putInt(fresh + BLOCK_CAPACITY_OFFSET, (int)capacity);
        UnsafeApi.putInt(fresh + BLOCK_USED_OFFSET, BLOCK_HEADER_LENGTH);
        final long previous = currentBlock[partition];
        if (previous == 0)
        {
            firstBlock[partition] = fresh;
        }
        else
        {
            UnsafeApi.putInt(previous + BLOCK_USED_OFFSET, (int)(writeAddress[partition] - previous));
            UnsafeApi.putLong(previous + BLOCK_NEXT_OFFSET, fresh);
        }
        currentBlock[partition] = fresh;
        blockEnd[partition] = fresh + capacity;
        writeAddress[partition] = fresh + BLOCK_HEADER_LENGTH + length;
        return fresh + BLOCK_HEADER_LENGTH;
    }

    /** Native memory for blocks, in chunks; not zeroed (every byte read was written). */
    private long allocate(final long length)
    {
        if (chunkNext + length > chunkEnd)
        {
            final long chunkLength = Math.max(this.chunkLength, length);
            overlay.reserve(chunkLength);   // may refuse (a build over its limit): nothing taken then
            long chunk = chunkLength == CHUNK_LENGTH && prefaulted != null ? prefaulted.take() : 0;
            if (chunk == 0)
            {
                try
                {
                    chunk = UnsafeApi.allocateMemory(chunkLength);
                }
                catch (final Throwable ex)
                {
                    overlay.release(chunkLength);
                    throw ex;
                }
            }
            if (chunkCount == chunks.length)
            {
                chunks = java.util.Arrays.copyOf(chunks, chunkCount * 2);
            }
            chunks[chunkCount++] = chunk;
            reservedBytes += chunkLength;
            chunkNext = chunk;
            chunkEnd = chunk + chunkLength;
        }
        final long address = chunkNext;
        chunkNext += length;
        return address;
    }

    /**
     * Pass 2 for everything buffered so far: afterwards the overlay holds every frame given.
     */
    public void finish()
    {
        apply();
    }

    private void apply()
    {
        if (bufferedRecords == 0)
        {
            return;
        }
        // every key may be new: grow the table first, so that each partition fills only its own slice
        // (growing while partitions are applied in hash order would overload the slices filled so far)
        overlay.ensureCapacity((long)overlay.size() + bufferedRecords);
        final Overlay.JournalValues journal = overlay.journalValues();
        for (int partition = 0; partition < firstBlock.length; partition++)
        {
            final long current = currentBlock[partition];
            if (current == 0)
            {
                continue;
            }
            UnsafeApi.putInt(current + BLOCK_USED_OFFSET, (int)(writeAddress[partition] - current));
            for (long block = firstBlock[partition]; block != 0; block = UnsafeApi.getLong(block + BLOCK_NEXT_OFFSET))
            {
                final long end = block + UnsafeApi.getInt(block + BLOCK_USED_OFFSET);
                for (long address = block + BLOCK_HEADER_LENGTH; address < end; )
                {
                    address += applyRecord(address, journal);
                }
            }
        }
        reset();
    }

    /**
     * @return the record's length.
     */
    private int applyRecord(final long address, final Overlay.JournalValues journal)
    {
        final int keyLength = UnsafeApi.getShort(address + KEY_LENGTH_OFFSET) & 0xFFFF;
        final long hash = UnsafeApi.getLong(address + HASH_OFFSET);
        final long version = UnsafeApi.getLong(address + VERSION_OFFSET);
        final int op = UnsafeApi.getByte(address + OP_OFFSET);
        final boolean patch = op == OpType.PATCH.code();
        final int length = recordLength(keyLength, patch);
        record.wrap(address, length);
        if (op == OpType.PUT.code())
        {
            overlay.putJournalRef(record, KEY_OFFSET, keyLength, hash, version, UnsafeApi.getInt(address + CYCLE_OFFSET),
                UnsafeApi.getLong(address + DATA_POSITION_OFFSET), UnsafeApi.getInt(address + DATA_LENGTH_OFFSET));
        }
        else if (op == OpType.DELETE.code())
        {
            overlay.putTombstone(record, KEY_OFFSET, keyLength, hash, version);
        }
        else if (op == OpType.PATCH.code())
        {
            final int dataLength = UnsafeApi.getInt(address + DATA_LENGTH_OFFSET);
            journal.wrap(data, UnsafeApi.getInt(address + CYCLE_OFFSET), UnsafeApi.getLong(address + DATA_POSITION_OFFSET),
                dataLength);
            final long patchOffset = UnsafeApi.getLong(address + patchOffsetOffset(keyLength));
            try
            {
                overlay.patch(record, KEY_OFFSET, keyLength, hash, version, patchOffset, data, 0, dataLength, base);
            }
            catch (final IllegalArgumentException | IndexOutOfBoundsException ex)
            {
                // a limit pass 1 did not know of: the overlay refused before changing anything; only this key is
                // quarantined (the frame's other keys may be applied already, in other partitions)
                final byte[] reason = FrameQuarantine.reason(version, UnsafeApi.getInt(address + CYCLE_OFFSET), -1,
                    "PATCH at patchOffset=" + patchOffset + " length=" + dataLength + ": " + ex)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                quarantine(hash, version, keyLength, reason);
            }
        }
        else if (op == QUARANTINE_OP)
        {
            quarantine(hash, version, keyLength, reasons.get((int)UnsafeApi.getLong(address + DATA_POSITION_OFFSET)));
        }
        else
        {
            throw new IllegalStateException("unknown op in a tail record: op=" + op + " version=" + version);
        }
        return length;
    }

    private void quarantine(final long hash, final long version, final int keyLength, final byte[] reason)
    {
        reasonBuffer.wrap(reason);
        overlay.putQuarantined(record, KEY_OFFSET, keyLength, hash, version, reasonBuffer, 0, reason.length);
        quarantineListener.onQuarantined(dev.engram.journal.internal.Utf8.decode(record, KEY_OFFSET, keyLength), version,
            new String(reason, java.nio.charset.StandardCharsets.UTF_8));
    }

    private void reset()
    {
        reasons.clear();
        freeChunks();
        java.util.Arrays.fill(firstBlock, 0);
        java.util.Arrays.fill(currentBlock, 0);
        java.util.Arrays.fill(writeAddress, 0);
        java.util.Arrays.fill(blockEnd, 0);
        bufferedRecords = 0;
    }

    private void freeChunks()
    {
        for (int i = 0; i < chunkCount; i++)
        {
            UnsafeApi.freeMemory(chunks[i]);
        }
        overlay.release(reservedBytes);
        chunkCount = 0;
        chunkNext = 0;
        chunkEnd = 0;
        reservedBytes = 0;
    }

    public long frames()
    {
        return frames;
    }

    long lastVersion()
    {
        return lastVersion;
    }

    /**
     * @return the cycle of the last frame indexed.
     */
    public int lastCycle()
    {
        return lastCycle;
    }

    /**
     * @return the file position of the last frame's body, or 0 if none was indexed.
     */
    public long lastPosition()
    {
        return lastPosition;
    }

    /**
     * Free the buffered records (applied or not).
     */
    @Override
    public void close()
    {
        freeChunks();
        bufferedRecords = 0;
    }
}
