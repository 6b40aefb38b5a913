package dev.engram.recovery.internal.history;

import dev.engram.recovery.KeyHistory;
import dev.engram.journal.OpType;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.history.KeyIndexSegmentDescriptor.*;

/**
 * One key-index segment, mapped read-only and checked whole when opened (magic, format version, file CRC, slot
 * table and entry bounds); each entry a lookup returns is checked again against its own CRC. Immutable,
 * thread-safe. The mapping goes with the object (no explicit unmap: a deleted file stays readable while a
 * query still holds it).
 */
final class KeyIndexSegment
{
    private final Path file;
    private final UnsafeBuffer buffer;
    private final int keyCount;
    private final long firstVersion;
    private final long lastVersion;
    private final long firstTimestamp;
    private final long lastTimestamp;
    private final long changeCount;
    @SuppressWarnings("unused")
    private final MappedByteBuffer mapping;   // keeps the memory mapped as long as this segment is reachable

    private KeyIndexSegment(final Path file, final MappedByteBuffer mapping)
    {
        this.file = file;
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
        final int length = buffer.capacity();
        if (length < MIN_FILE_LENGTH)
        {
            throw new KeyIndexDamagedException(file, length, "file too short: " + length + " bytes");
        }
        final byte[] magic = new byte[MAGIC.length];
        buffer.getBytes(MAGIC_OFFSET, magic);
        if (!Arrays.equals(magic, MAGIC))
        {
            throw new KeyIndexDamagedException(file, MAGIC_OFFSET, "bad magic");
        }
        final CRC32C crc = new CRC32C();
        crc.update(mapping.duplicate().position(0).limit(length - CRC_LENGTH));
        if ((int)crc.getValue() != buffer.getInt(length - CRC_LENGTH, ByteOrder.LITTLE_ENDIAN))
        {
            throw new KeyIndexDamagedException(file, length - CRC_LENGTH, "file CRC32C mismatch");
        }
        final int format = buffer.getInt(FORMAT_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (format != FORMAT_VERSION)
        {
            throw new KeyIndexDamagedException(file, FORMAT_VERSION_OFFSET, "format version " + format +
                " (this Engram reads " + FORMAT_VERSION + ")");
        }
        keyCount = buffer.getInt(KEY_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        firstVersion = buffer.getLong(FIRST_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastVersion = buffer.getLong(LAST_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        firstTimestamp = buffer.getLong(FIRST_TIMESTAMP_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastTimestamp = buffer.getLong(LAST_TIMESTAMP_OFFSET, ByteOrder.LITTLE_ENDIAN);
        changeCount = buffer.getLong(CHANGE_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (keyCount < 0 || (long)keyCount * SLOT_LENGTH > length - MIN_FILE_LENGTH)
        {
            throw new KeyIndexDamagedException(file, KEY_COUNT_OFFSET, "key count " + keyCount + " does not fit");
        }
        if (firstVersion < 1 || lastVersion < firstVersion)
        {
            throw new KeyIndexDamagedException(file, FIRST_VERSION_OFFSET, "bad version range [" + firstVersion + ", " +
                lastVersion + "]");
        }
        final long entriesStart = SLOT_TABLE_OFFSET + (long)keyCount * SLOT_LENGTH;
        final long entriesEnd = length - CRC_LENGTH;
        long expected = entriesStart;
        long previousHash = Long.MIN_VALUE;
        for (int slot = 0; slot < keyCount; slot++)
        {
            final int slotOffset = SLOT_TABLE_OFFSET + slot * SLOT_LENGTH;
            final long hash = buffer.getLong(slotOffset + SLOT_HASH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final long entry = buffer.getLong(slotOffset + SLOT_ENTRY_OFFSET_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (hash < previousHash || entry != expected || entry + ENTRY_KEY_OFFSET > entriesEnd)
            {
                throw new KeyIndexDamagedException(file, slotOffset, "slot " + slot + " out of order or out of bounds");
            }
            previousHash = hash;
            final int keyLength = buffer.getShort((int)entry + ENTRY_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int changes = buffer.getInt((int)entry + ENTRY_CHANGE_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (keyLength < 1 || changes < 1)
            {
                throw new KeyIndexDamagedException(file, entry, "entry with key length " + keyLength + " and " + changes +
                    " changes");
            }
            expected = entry + entryLength(keyLength, changes);
            if (expected > entriesEnd)
            {
                throw new KeyIndexDamagedException(file, entry, "entry runs past the end");
            }
        }
        if (expected != entriesEnd)
        {
            throw new KeyIndexDamagedException(file, expected, "trailing bytes after the last entry");
        }
    }

    /**
     * Map and check the segment.
     *
     * @throws KeyIndexDamagedException if it cannot be trusted.
     */
    static KeyIndexSegment open(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE - 8)
            {
                throw new KeyIndexDamagedException(file, -1, "file too large: " + size + " bytes");
            }
            return new KeyIndexSegment(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
        catch (final IOException ex)
        {
            throw new KeyIndexDamagedException(file, -1, "cannot read: " + ex);
        }
    }

    Path file()
    {
        return file;
    }

    long firstVersion()
    {
        return firstVersion;
    }

    long lastVersion()
    {
        return lastVersion;
    }

    long firstTimestamp()
    {
        return firstTimestamp;
    }

    long lastTimestamp()
    {
        return lastTimestamp;
    }

    int keyCount()
    {
        return keyCount;
    }

    long changeCount()
    {
        return changeCount;
    }

    /**
     * Add the changes of {@code key} with versions in {@code [from, to]} to {@code out}, oldest first.
     *
     * @throws KeyIndexDamagedException if the entry found fails its CRC.
     */
    void lookup(final byte[] key, final long hash, final long from, final long to, final List<KeyHistory.Change> out)
    {
        int low = 0;
        int high = keyCount - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long midHash = slotHash(mid);
            if (midHash < hash)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        for (int slot = low; slot < keyCount && slotHash(slot) == hash; slot++)
        {
            final int entry = (int)buffer.getLong(SLOT_TABLE_OFFSET + slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET_OFFSET,
                ByteOrder.LITTLE_ENDIAN);
            if (keyEquals(entry, key))
            {
                read(entry, key.length, from, to, out);
                return;
            }
        }
    }

    /**
     * Add to {@code out} every key with a change in {@code [from, to]} (every key of the segment if the range holds
     * all its versions), each entry checked against its CRC: O(keys in the segment).
     *
     * @throws KeyIndexDamagedException if an entry fails its CRC or holds a bad change.
     */
    void changedKeys(final long from, final long to, final java.util.Set<String> out)
    {
        final boolean all = from <= firstVersion && to >= lastVersion;
        for (int slot = 0; slot < keyCount; slot++)
        {
            final int entry = (int)buffer.getLong(SLOT_TABLE_OFFSET + slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET_OFFSET,
                ByteOrder.LITTLE_ENDIAN);
            final int keyLength = buffer.getShort(entry + ENTRY_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int changes = buffer.getInt(entry + ENTRY_CHANGE_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final int checked = keyLength + changes * CHANGE_LENGTH;
            final CRC32C crc = new CRC32C();
            crc.update(buffer.byteBuffer().duplicate().position(entry + ENTRY_KEY_OFFSET).limit(entry + ENTRY_KEY_OFFSET + checked));
            if ((int)crc.getValue() != buffer.getInt(entry + ENTRY_CRC_OFFSET, ByteOrder.LITTLE_ENDIAN))
            {
                throw new KeyIndexDamagedException(file, entry, "entry CRC32C mismatch");
            }
            boolean changed = all;
            for (int c = 0, change = entry + ENTRY_KEY_OFFSET + keyLength; c < changes && !changed; c++, change += CHANGE_LENGTH)
            {
                final long version = buffer.getLong(change + CHANGE_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
                if (version < firstVersion || version > lastVersion)
                {
                    throw new KeyIndexDamagedException(file, change, "bad change (version " + version + ")");
                }
                changed = version >= from && version <= to;
            }
            if (changed)
            {
                final byte[] key = new byte[keyLength];
                buffer.getBytes(entry + ENTRY_KEY_OFFSET, key);
                out.add(new String(key, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    private long slotHash(final int slot)
    {
        return buffer.getLong(SLOT_TABLE_OFFSET + slot * SLOT_LENGTH + SLOT_HASH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private boolean keyEquals(final int entry, final byte[] key)
    {
        if ((buffer.getShort(entry + ENTRY_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) != key.length)
        {
            return false;
        }
        for (int i = 0; i < key.length; i++)
        {
            if (buffer.getByte(entry + ENTRY_KEY_OFFSET + i) != key[i])
            {
                return false;
            }
        }
        return true;
    }

    private void read(final int entry, final int keyLength, final long from, final long to,
        final List<KeyHistory.Change> out)
    {
        final int changes = buffer.getInt(entry + ENTRY_CHANGE_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int first = entry + ENTRY_KEY_OFFSET + keyLength;
        final CRC32C crc = new CRC32C();
        final int checked = keyLength + changes * CHANGE_LENGTH;
        crc.update(buffer.byteBuffer().duplicate().position(entry + ENTRY_KEY_OFFSET).limit(entry + ENTRY_KEY_OFFSET + checked));
        if ((int)crc.getValue() != buffer.getInt(entry + ENTRY_CRC_OFFSET, ByteOrder.LITTLE_ENDIAN))
        {
            throw new KeyIndexDamagedException(file, entry, "entry CRC32C mismatch");
        }
        for (int c = 0, change = first; c < changes; c++, change += CHANGE_LENGTH)
        {
            final long version = buffer.getLong(change + CHANGE_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (version >= from && version <= to)
            {
                final OpType op = OpType.fromCode(buffer.getByte(change + CHANGE_OP_OFFSET));
                if (op == null || version < firstVersion || version > lastVersion)
                {
                    throw new KeyIndexDamagedException(file, change, "bad change (version " + version + ", op " + op + ")");
                }
                out.add(new KeyHistory.Change(version, buffer.getLong(change + CHANGE_TIMESTAMP_OFFSET,
                    ByteOrder.LITTLE_ENDIAN), op));
            }
        }
    }
}
