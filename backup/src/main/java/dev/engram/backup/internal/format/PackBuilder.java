package dev.engram.backup.internal.format;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.engram.backup.internal.format.PackDescriptor.*;

/**
 * Collects stored chunks into one pack ({@link PackDescriptor}) in memory; {@link #build} gives the pack's bytes,
 * its id and its table.
 */
public final class PackBuilder
{
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final List<PackEntry> entries = new ArrayList<>();

    /** Adds a chunk's stored bytes (sealed already, in an encrypted repository). */
    public void add(final ChunkId id, final ChunkCodec.Stored stored, final int rawLength)
    {
        final long offset = HEADER_LENGTH + (long)data.size();
        data.write(stored.bytes(), 0, stored.bytes().length);
        entries.add(new PackEntry(id, offset, stored.bytes().length, rawLength, stored.codec(),
            Bytes.crc32c(stored.bytes(), 0, stored.bytes().length)));
    }

    /** Chunks added. */
    public int count()
    {
        return entries.size();
    }

    /** Stored bytes added (the pack is this plus 64 bytes a chunk plus 64). */
    public long storedBytes()
    {
        return data.size();
    }

    /** The pack of an unencrypted repository, and resets this builder. */
    public Pack build(final long createdMillis)
    {
        return build(createdMillis, Sealer.PLAIN);
    }

    /**
     * The pack, and resets this builder. The chunks added must have been sealed by {@code sealer} already; the table
     * is sealed here.
     */
    public Pack build(final long createdMillis, final Sealer sealer)
    {
        final int flags = sealer.encrypted() ? FLAG_SEALED : 0;
        final byte[] table = sealer.sealTable(entries.size(), table(entries));
        final int tableOffset = HEADER_LENGTH + data.size();
        final byte[] pack = new byte[tableOffset + table.length + FOOTER_LENGTH];
        Bytes.putAscii(pack, 0, MAGIC);
        Bytes.putInt(pack, HEADER_VERSION_OFFSET, FORMAT_VERSION);
        Bytes.putInt(pack, HEADER_COUNT_OFFSET, entries.size());
        Bytes.putLong(pack, HEADER_CREATED_OFFSET, createdMillis);
        Bytes.putInt(pack, HEADER_FLAGS_OFFSET, flags);
        Bytes.putInt(pack, HEADER_CRC_OFFSET, Bytes.crc32c(pack, 0, HEADER_CRC_OFFSET));
        System.arraycopy(data.toByteArray(), 0, pack, HEADER_LENGTH, data.size());
        System.arraycopy(table, 0, pack, tableOffset, table.length);
        final int footer = pack.length - FOOTER_LENGTH;
        Bytes.putAscii(pack, footer, FOOTER_MAGIC);
        Bytes.putLong(pack, footer + FOOTER_TABLE_OFFSET_OFFSET, tableOffset);
        Bytes.putInt(pack, footer + FOOTER_COUNT_OFFSET, entries.size());
        Bytes.putInt(pack, footer + FOOTER_TABLE_CRC_OFFSET, Bytes.crc32c(table, 0, table.length));
        Bytes.putInt(pack, footer + FOOTER_FLAGS_OFFSET, flags);
        Bytes.putInt(pack, footer + FOOTER_CRC_OFFSET, Bytes.crc32c(pack, footer, footer + FOOTER_CRC_OFFSET));
        final String id = HexFormat.of().formatHex(ChunkId.sha256().digest(pack));
        final Pack built = new Pack(id, pack, List.copyOf(entries));
        data.reset();
        entries.clear();
        return built;
    }

    /** The table rows of the entries. */
    static byte[] table(final List<PackEntry> entries)
    {
        final byte[] table = new byte[entries.size() * ROW_LENGTH];
        for (int i = 0; i < entries.size(); i++)
        {
            final PackEntry e = entries.get(i);
            final int row = i * ROW_LENGTH;
            e.id().write(table, row + ROW_ID_OFFSET);
            Bytes.putLong(table, row + ROW_OFFSET_OFFSET, e.offset());
            Bytes.putInt(table, row + ROW_STORED_LENGTH_OFFSET, e.storedLength());
            Bytes.putInt(table, row + ROW_RAW_LENGTH_OFFSET, e.rawLength());
            table[row + ROW_CODEC_OFFSET] = (byte)e.codec();
            Bytes.putInt(table, row + ROW_CRC_OFFSET, e.storedCrc());
        }
        return table;
    }

    /**
     * A built pack.
     *
     * @param id      SHA-256 of the bytes, 64 hex digits
     * @param bytes   the whole pack
     * @param entries its table
     */
    public record Pack(String id, byte[] bytes, List<PackEntry> entries)
    {
    }
}
