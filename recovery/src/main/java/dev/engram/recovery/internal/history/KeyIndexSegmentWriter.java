package dev.engram.recovery.internal.history;

import dev.engram.recovery.internal.checkpoint.Fsync;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.history.KeyIndexSegmentDescriptor.*;

/**
 * Writes one key-index segment ({@link KeyIndexSegmentDescriptor}) atomically: temp file, fsync, rename, fsync of
 * the directory. The same changes always give the same bytes.
 */
final class KeyIndexSegmentWriter
{
    private KeyIndexSegmentWriter()
    {
    }

    /**
     * @return the segment's bytes.
     */
    static byte[] encode(final long firstVersion, final long lastVersion, final long firstTimestamp,
        final long lastTimestamp, final KeyRun changes)
    {
        final int keyCount = changes.keyCount();
        final byte[][] keys = new byte[keyCount][];
        final long[] hashes = new long[keyCount];
        final Integer[] order = new Integer[keyCount];
        long length = HEADER_LENGTH + (long)keyCount * SLOT_LENGTH + CRC_LENGTH;
        long changeCount = 0;
        // the follower's thread: short chunks where the process has one CPU (a segment of 32,768 versions is ms of work)
        final dev.engram.journal.internal.BackgroundPacing pacing = dev.engram.journal.internal.BackgroundPacing.forThread();
        for (int k = 0; k < keyCount; k++)
        {
            pacing.tick();
            keys[k] = changes.keyBytes(k);
            hashes[k] = changes.keyHash(k);
            order[k] = k;
            length += entryLength(keys[k].length, changes.changeCount(k));
            changeCount += changes.changeCount(k);
        }
        if (length > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("key index segment too large: " + length + " bytes");
        }
        // by hash, then by key bytes: the same changes always give the same bytes
        final int[] compares = {0};
        Arrays.sort(order, Comparator.<Integer>comparingLong(i ->
        {
            if ((++compares[0] & 255) == 0)
            {
                pacing.tick();
            }
            return hashes[i];
        }).thenComparing(i -> keys[i], Arrays::compareUnsigned));
        final byte[] bytes = new byte[(int)length];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putBytes(MAGIC_OFFSET, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(KEY_COUNT_OFFSET, keyCount, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(FIRST_VERSION_OFFSET, firstVersion, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LAST_VERSION_OFFSET, lastVersion, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(FIRST_TIMESTAMP_OFFSET, firstTimestamp, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LAST_TIMESTAMP_OFFSET, lastTimestamp, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CHANGE_COUNT_OFFSET, changeCount, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(RESERVED_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        int entry = HEADER_LENGTH + keyCount * SLOT_LENGTH;
        final CRC32C crc = new CRC32C();
        for (int slot = 0; slot < keyCount; slot++)
        {
            pacing.tick();
            final int i = order[slot];
            final int slotOffset = SLOT_TABLE_OFFSET + slot * SLOT_LENGTH;
            buffer.putLong(slotOffset + SLOT_HASH_OFFSET, hashes[i], ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(slotOffset + SLOT_ENTRY_OFFSET_OFFSET, entry, ByteOrder.LITTLE_ENDIAN);
            buffer.putShort(entry + ENTRY_KEY_LENGTH_OFFSET, (short)keys[i].length, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(entry + ENTRY_CHANGE_COUNT_OFFSET, changes.changeCount(i), ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(entry + ENTRY_KEY_OFFSET, keys[i]);
            int change = entry + ENTRY_KEY_OFFSET + keys[i].length;
            for (int c = changes.firstChange(i); c >= 0; c = changes.nextChange(c), change += CHANGE_LENGTH)
            {
                buffer.putLong(change + CHANGE_VERSION_OFFSET, changes.version(c), ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(change + CHANGE_TIMESTAMP_OFFSET, changes.timestamp(c), ByteOrder.LITTLE_ENDIAN);
                buffer.putByte(change + CHANGE_OP_OFFSET, changes.opCode(c));
            }
            crc.reset();
            crc.update(bytes, entry + ENTRY_KEY_OFFSET, change - entry - ENTRY_KEY_OFFSET);
            buffer.putInt(entry + ENTRY_CRC_OFFSET, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
            entry = change;
        }
        crc.reset();
        crc.update(bytes, 0, bytes.length - CRC_LENGTH);
        buffer.putInt(bytes.length - CRC_LENGTH, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /**
     * Write the segment into {@code directory} under its {@link KeyIndexSegmentDescriptor#fileName} atomically.
     *
     * @return the file.
     */
    static Path write(final Path directory, final long firstVersion, final long lastVersion, final long firstTimestamp,
        final long lastTimestamp, final KeyRun changes)
    {
        final byte[] bytes = encode(firstVersion, lastVersion, firstTimestamp, lastTimestamp, changes);
        final Path file = directory.resolve(fileName(firstVersion, lastVersion));
        final Path temp = directory.resolve(file.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer source = ByteBuffer.wrap(bytes);
                while (source.hasRemaining())
                {
                    channel.write(source);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(directory);
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write key history index segment " + file, ex);
        }
    }
}
