package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.UnsupportedCheckpointFormatException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.checkpoint.CheckpointFooterDescriptor.*;
import static dev.engram.recovery.internal.checkpoint.CheckpointHeaderDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The header and footer checks every reader runs, and a cheap {@link #readInfo(Path)} that reads only
 * those 256 bytes (for listing and the catalog). Failures name the file and the offset.
 */
public final class CheckpointFileChecks
{
    static final long MIN_FILE_LENGTH = HEADER_LENGTH + FOOTER_LENGTH;

    private CheckpointFileChecks()
    {
    }

    /**
     * Read and check the header and footer of a checkpoint file without mapping it.
     *
     * @param file a published checkpoint file.
     * @return what it holds.
     * @throws CheckpointCorruptionException        if a check fails.
     * @throws UnsupportedCheckpointFormatException if it is of a newer format.
     */
    public static CheckpointInfo readInfo(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long fileLength = channel.size();
            if (fileLength < MIN_FILE_LENGTH)
            {
                throw new CheckpointCorruptionException(file, fileLength,
                    "file is shorter than a header and a footer: length=" + fileLength);
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
            readFully(channel, header, 0);
            final ByteBuffer footer = ByteBuffer.allocate(FOOTER_LENGTH);
            readFully(channel, footer, footerOffset(fileLength));
            final UnsafeBuffer headerBuffer = new UnsafeBuffer(header.array());
            final UnsafeBuffer footerBuffer = new UnsafeBuffer(footer.array());
            verifyHeader(file, headerBuffer);
            verifyFooter(file, footerBuffer, fileLength, headerBuffer);
            return info(file, headerBuffer, footerBuffer, fileLength);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot read checkpoint file=" + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long p = position;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, p);
            if (n < 0)
            {
                throw new IOException("unexpected end of file at position=" + p);
            }
            p += n;
        }
    }

    public static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer.byteArray() != null)
        {
            final CRC32C crc = new CRC32C();
            crc.update(buffer.byteArray(), (int)(buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
            return (int)crc.getValue();
        }
        return Crc32cMemory.compute(buffer.addressOffset() + offset, length);
    }

    /**
     * Magic, format version, then CRC, then field rules.
     */
    static void verifyHeader(final Path file, final DirectBuffer header)
    {
        for (int i = 0; i < CheckpointHeaderDescriptor.MAGIC.length; i++)
        {
            if (header.getByte(CheckpointHeaderDescriptor.MAGIC_OFFSET + i) != CheckpointHeaderDescriptor.MAGIC[i])
            {
                throw new CheckpointCorruptionException(file, CheckpointHeaderDescriptor.MAGIC_OFFSET,
                    "not a checkpoint file (bad header magic)");
            }
        }
        final long version = header.getInt(FORMAT_VERSION_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (version > CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED)
        {
            throw new UnsupportedCheckpointFormatException(file, version, CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED);
        }
        final int storedCrc = header.getInt(HEADER_CRC_OFFSET, LITTLE_ENDIAN);
        final int crc = crc32c(header, 0, HEADER_CRC_OFFSET);
        if (storedCrc != crc)
        {
            throw new CheckpointCorruptionException(file, HEADER_CRC_OFFSET, "header CRC32C mismatch: stored=0x" +
                Integer.toHexString(storedCrc) + " computed=0x" + Integer.toHexString(crc));
        }
        if (version < 1)
        {
            throw new CheckpointCorruptionException(file, FORMAT_VERSION_OFFSET, "format version is 0");
        }
        final int flags = header.getInt(FLAGS_OFFSET, LITTLE_ENDIAN);
        final long id = header.getLong(CheckpointHeaderDescriptor.CHECKPOINT_ID_OFFSET, LITTLE_ENDIAN);
        final long parentId = header.getLong(PARENT_ID_OFFSET, LITTLE_ENDIAN);
        final long baseId = header.getLong(BASE_ID_OFFSET, LITTLE_ENDIAN);
        final long ordinal = header.getInt(CHAIN_ORDINAL_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final long stateVersion = header.getLong(STATE_VERSION_OFFSET, LITTLE_ENDIAN);
        final int compression = header.getByte(COMPRESSION_OFFSET) & 0xFF;
        final boolean delta = (flags & FLAG_DELTA) != 0;
        if ((flags & ~KNOWN_FLAGS) != 0 || id <= 0 || delta != (parentId != 0) || (!delta && (baseId != id || ordinal != 0)) ||
            (delta && (ordinal == 0 || parentId >= id || baseId > parentId)) ||
            CheckpointCompression.fromCode(compression) == null ||
            ((flags & FLAG_COMPRESSED) != 0) != (compression != 0) ||
            header.getLong(JOURNAL_RESUME_VERSION_OFFSET, LITTLE_ENDIAN) != stateVersion + 1)
        {
            throw new CheckpointCorruptionException(file, FLAGS_OFFSET, "header fields are inconsistent: flags=0x" +
                Integer.toHexString(flags) + " id=" + id + " parent=" + parentId + " base=" + baseId + " ordinal=" + ordinal +
                " compression=" + compression + " stateVersion=" + stateVersion);
        }
    }

    /**
     * Magic, CRC, then the rules tying the footer to the header and the file length.
     */
    static void verifyFooter(final Path file, final DirectBuffer footer, final long fileLength, final DirectBuffer header)
    {
        final long footerOffset = footerOffset(fileLength);
        for (int i = 0; i < CheckpointFooterDescriptor.MAGIC.length; i++)
        {
            if (footer.getByte(CheckpointFooterDescriptor.MAGIC_OFFSET + i) != CheckpointFooterDescriptor.MAGIC[i])
            {
                throw new CheckpointCorruptionException(file, footerOffset,
                    "bad footer magic (the file is truncated, was never completed, or is damaged)");
            }
        }
        final int storedCrc = footer.getInt(FOOTER_CRC_OFFSET, LITTLE_ENDIAN);
        final int crc = crc32c(footer, 0, FOOTER_CRC_OFFSET);
        if (storedCrc != crc)
        {
            throw new CheckpointCorruptionException(file, footerOffset + FOOTER_CRC_OFFSET, "footer CRC32C mismatch: stored=0x" +
                Integer.toHexString(storedCrc) + " computed=0x" + Integer.toHexString(crc));
        }
        final long blockCount = footer.getLong(BLOCK_COUNT_OFFSET, LITTLE_ENDIAN);
        final long tableOffset = footer.getLong(BLOCK_TABLE_OFFSET_OFFSET, LITTLE_ENDIAN);
        final long indexOffset = footer.getLong(INDEX_OFFSET_OFFSET, LITTLE_ENDIAN);
        final long slotCount = footer.getLong(INDEX_SLOT_COUNT_OFFSET, LITTLE_ENDIAN);
        final long entryCount = footer.getLong(ENTRY_COUNT_OFFSET, LITTLE_ENDIAN);
        final long tombstones = footer.getLong(TOMBSTONE_COUNT_OFFSET, LITTLE_ENDIAN);
        final boolean delta = (header.getInt(FLAGS_OFFSET, LITTLE_ENDIAN) & FLAG_DELTA) != 0;
        final boolean shapeOk =
            blockCount >= 0 && blockCount <= Integer.MAX_VALUE / BlockTableDescriptor.ROW_LENGTH &&
            tableOffset >= HEADER_LENGTH &&
            indexOffset == tableOffset + blockCount * BlockTableDescriptor.ROW_LENGTH &&
            slotCount >= InFileIndexDescriptor.MIN_SLOT_COUNT && slotCount <= InFileIndexDescriptor.MAX_SLOT_COUNT &&
            Long.bitCount(slotCount) == 1 &&
            entryCount >= 0 && slotCount >= 2 * entryCount &&
            indexOffset + slotCount * InFileIndexDescriptor.SLOT_LENGTH == footerOffset &&
            tombstones >= 0 && tombstones <= entryCount && (delta || tombstones == 0) &&
            (blockCount > 0 || entryCount == 0) &&
            footer.getLong(CheckpointFooterDescriptor.CHECKPOINT_ID_OFFSET, LITTLE_ENDIAN) ==
                header.getLong(CheckpointHeaderDescriptor.CHECKPOINT_ID_OFFSET, LITTLE_ENDIAN) &&
            entryCount == header.getLong(KEY_COUNT_OFFSET, LITTLE_ENDIAN);
        if (!shapeOk)
        {
            throw new CheckpointCorruptionException(file, footerOffset, "footer does not describe this file: blockCount=" +
                blockCount + " blockTableOffset=" + tableOffset + " indexOffset=" + indexOffset + " slotCount=" + slotCount +
                " entryCount=" + entryCount + " tombstones=" + tombstones + " fileLength=" + fileLength);
        }
    }

    static CheckpointInfo info(final Path file, final DirectBuffer header, final DirectBuffer footer, final long fileLength)
    {
        final byte[] root = new byte[MERKLE_ROOT_LENGTH];
        footer.getBytes(MERKLE_ROOT_OFFSET, root);
        return new CheckpointInfo(
            file,
            header.getLong(CheckpointHeaderDescriptor.CHECKPOINT_ID_OFFSET, LITTLE_ENDIAN),
            header.getLong(PARENT_ID_OFFSET, LITTLE_ENDIAN),
            header.getLong(BASE_ID_OFFSET, LITTLE_ENDIAN),
            header.getInt(CHAIN_ORDINAL_OFFSET, LITTLE_ENDIAN),
            header.getLong(STATE_VERSION_OFFSET, LITTLE_ENDIAN),
            header.getLong(PARENT_STATE_VERSION_OFFSET, LITTLE_ENDIAN),
            header.getLong(JOURNAL_RESUME_VERSION_OFFSET, LITTLE_ENDIAN),
            fileLength,
            footer.getLong(ENTRY_COUNT_OFFSET, LITTLE_ENDIAN),
            footer.getLong(TOMBSTONE_COUNT_OFFSET, LITTLE_ENDIAN),
            footer.getLong(BLOCK_COUNT_OFFSET, LITTLE_ENDIAN),
            footer.getLong(RAW_KEY_BYTES_OFFSET, LITTLE_ENDIAN),
            footer.getLong(RAW_VALUE_BYTES_OFFSET, LITTLE_ENDIAN),
            footer.getLong(BLOCK_TABLE_OFFSET_OFFSET, LITTLE_ENDIAN) - HEADER_LENGTH,
            root,
            CheckpointCompression.fromCode(header.getByte(COMPRESSION_OFFSET) & 0xFF),
            header.getLong(CREATED_EPOCH_MS_OFFSET, LITTLE_ENDIAN),
            header.getInt(JOURNAL_HINT_CYCLE_OFFSET, LITTLE_ENDIAN),
            header.getLong(JOURNAL_HINT_POSITION_OFFSET, LITTLE_ENDIAN),
            header.getInt(CheckpointHeaderDescriptor.TAG_COUNT_OFFSET, LITTLE_ENDIAN));
    }
}
