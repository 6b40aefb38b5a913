package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.engram.backup.internal.format.PackDescriptor.*;

/**
 * Reads and checks packs ({@link PackDescriptor}) and index objects ({@link IndexDescriptor}), and names them.
 */
public final class PackFormat
{
    public static final String PACKS = "packs/";
    public static final String INDEX = "index/";

    private PackFormat()
    {
    }

    /** The key of the pack with that id. */
    public static String packKey(final String packId)
    {
        return PACKS + packId.substring(0, 2) + "/" + packId;
    }

    /** The key of the index object of the pack with that id. */
    public static String indexKey(final String packId)
    {
        return INDEX + packId;
    }

    /** The pack id a pack or index key names (its last segment). */
    public static String idOf(final String key)
    {
        final String id = key.substring(key.lastIndexOf('/') + 1);
        if (id.length() != 64 || !id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        {
            throw new IllegalArgumentException("not a pack id: " + key);
        }
        return id;
    }

    /**
     * The footer of a pack of an unencrypted repository (its last {@link PackDescriptor#FOOTER_LENGTH} bytes): where
     * its table is and how many rows it has.
     */
    public static Footer footer(final String key, final long packLength, final byte[] footer)
        throws RepositoryCorruptionException
    {
        return footer(key, packLength, footer, Sealer.PLAIN);
    }

    /**
     * The footer of a pack (its last {@link PackDescriptor#FOOTER_LENGTH} bytes): where its table is and how many
     * rows it has; its sealed flag must say what the repository is.
     */
    public static Footer footer(final String key, final long packLength, final byte[] footer, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        final long at = packLength - FOOTER_LENGTH;
        if (packLength < HEADER_LENGTH + FOOTER_LENGTH || !Bytes.hasAscii(footer, 0, FOOTER_MAGIC))
        {
            throw new RepositoryCorruptionException(key, Math.max(0, at), "no pack footer (magic " + FOOTER_MAGIC + ")");
        }
        if (Bytes.getInt(footer, FOOTER_CRC_OFFSET) != Bytes.crc32c(footer, 0, FOOTER_CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, at, "pack footer CRC32C mismatch");
        }
        checkFlags(key, at + FOOTER_FLAGS_OFFSET, Bytes.getInt(footer, FOOTER_FLAGS_OFFSET), sealer);
        final long tableOffset = Bytes.getLong(footer, FOOTER_TABLE_OFFSET_OFFSET);
        final long count = Bytes.getUnsignedInt(footer, FOOTER_COUNT_OFFSET);
        if (tableOffset < HEADER_LENGTH || tableOffset + count * ROW_LENGTH + sealer.overhead() != at)
        {
            throw new RepositoryCorruptionException(key, at, "pack footer names a table [" + tableOffset + ", +" +
                count + " rows) that does not end at the footer");
        }
        return new Footer(tableOffset, (int)count, Bytes.getInt(footer, FOOTER_TABLE_CRC_OFFSET));
    }

    private static void checkFlags(final String key, final long at, final int flags, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        if (flags != (sealer.encrypted() ? FLAG_SEALED : 0))
        {
            throw new RepositoryCorruptionException(key, at, "pack flags " + flags + ": " +
                ((flags & ~FLAG_SEALED) != 0 ? "unknown flags" : sealer.encrypted() ?
                "a plaintext pack in an encrypted repository" : "a sealed pack in an unencrypted repository"));
        }
    }

    /** The rows of an unencrypted pack's table, checked against the footer's CRC and the pack's shape. */
    public static List<PackEntry> table(final String key, final Footer footer, final byte[] table)
        throws RepositoryCorruptionException
    {
        return table(key, footer, table, Sealer.PLAIN);
    }

    /**
     * The rows of a pack's table ({@link Footer#tableLength} bytes from its table offset), checked against the
     * footer's CRC, opened, and checked against the pack's shape.
     */
    public static List<PackEntry> table(final String key, final Footer footer, final byte[] table, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        if (Bytes.crc32c(table, 0, table.length) != footer.tableCrc())
        {
            throw new RepositoryCorruptionException(key, footer.tableOffset(), "pack table CRC32C mismatch");
        }
        final byte[] rows = sealer.openTable(key, footer.tableOffset(), footer.count(), table);
        return rows(key, footer.tableOffset(), rows, 0, footer.count(), footer.tableOffset(), sealer.overhead());
    }

    /** Every chunk entry of a whole pack of an unencrypted repository, with the header, footer and table checked. */
    public static List<PackEntry> read(final String key, final byte[] pack) throws RepositoryCorruptionException
    {
        return read(key, pack, Sealer.PLAIN);
    }

    /** Every chunk entry of a whole pack, with the header, footer and table checked (the table opened). */
    public static List<PackEntry> read(final String key, final byte[] pack, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        if (pack.length < HEADER_LENGTH + FOOTER_LENGTH || !Bytes.hasAscii(pack, 0, MAGIC))
        {
            throw new RepositoryCorruptionException(key, 0, "no pack header (magic " + MAGIC + ")");
        }
        if (Bytes.getInt(pack, HEADER_CRC_OFFSET) != Bytes.crc32c(pack, 0, HEADER_CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, 0, "pack header CRC32C mismatch");
        }
        if (Bytes.getInt(pack, HEADER_VERSION_OFFSET) != FORMAT_VERSION)
        {
            throw new RepositoryCorruptionException(key, HEADER_VERSION_OFFSET, "pack format version " +
                Bytes.getInt(pack, HEADER_VERSION_OFFSET) + " is not " + FORMAT_VERSION);
        }
        checkFlags(key, HEADER_FLAGS_OFFSET, Bytes.getInt(pack, HEADER_FLAGS_OFFSET), sealer);
        final byte[] footerBytes = java.util.Arrays.copyOfRange(pack, pack.length - FOOTER_LENGTH, pack.length);
        final Footer footer = footer(key, pack.length, footerBytes, sealer);
        if (footer.count() != Bytes.getInt(pack, HEADER_COUNT_OFFSET))
        {
            throw new RepositoryCorruptionException(key, HEADER_COUNT_OFFSET, "header and footer chunk counts differ");
        }
        return table(key, footer, java.util.Arrays.copyOfRange(pack, (int)footer.tableOffset(),
            (int)footer.tableOffset() + footer.tableLength(sealer)), sealer);
    }

    /** An index object for a pack: header and the pack's table rows. */
    public static byte[] encodeIndex(final long packLength, final List<PackEntry> entries)
    {
        final byte[] rows = PackBuilder.table(entries);
        final byte[] index = new byte[IndexDescriptor.HEADER_LENGTH + rows.length];
        Bytes.putAscii(index, 0, IndexDescriptor.MAGIC);
        Bytes.putInt(index, IndexDescriptor.VERSION_OFFSET, IndexDescriptor.FORMAT_VERSION);
        Bytes.putInt(index, IndexDescriptor.COUNT_OFFSET, entries.size());
        Bytes.putLong(index, IndexDescriptor.PACK_LENGTH_OFFSET, packLength);
        Bytes.putInt(index, IndexDescriptor.ROWS_CRC_OFFSET, Bytes.crc32c(rows, 0, rows.length));
        Bytes.putInt(index, IndexDescriptor.HEADER_CRC_OFFSET, Bytes.crc32c(index, 0, IndexDescriptor.HEADER_CRC_OFFSET));
        System.arraycopy(rows, 0, index, IndexDescriptor.HEADER_LENGTH, rows.length);
        return index;
    }

    /** The entries of an index object of an unencrypted repository, checked. */
    public static List<PackEntry> decodeIndex(final String key, final byte[] index) throws RepositoryCorruptionException
    {
        return decodeIndex(key, index, Sealer.PLAIN);
    }

    /** The index object as stored under {@code key}: sealed in an encrypted repository. */
    public static byte[] encodeIndex(final String key, final long packLength, final List<PackEntry> entries,
        final Sealer sealer)
    {
        return sealer.sealObject(key, encodeIndex(packLength, entries));
    }

    /** The entries of an index object as stored (opened in an encrypted repository), checked. */
    public static List<PackEntry> decodeIndex(final String key, final byte[] stored, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        final byte[] index = sealer.openObject(key, stored);
        if (index.length < IndexDescriptor.HEADER_LENGTH || !Bytes.hasAscii(index, 0, IndexDescriptor.MAGIC))
        {
            throw new RepositoryCorruptionException(key, 0, "no index header (magic " + IndexDescriptor.MAGIC + ")");
        }
        if (Bytes.getInt(index, IndexDescriptor.HEADER_CRC_OFFSET) !=
            Bytes.crc32c(index, 0, IndexDescriptor.HEADER_CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, 0, "index header CRC32C mismatch");
        }
        if (Bytes.getInt(index, IndexDescriptor.VERSION_OFFSET) != IndexDescriptor.FORMAT_VERSION)
        {
            throw new RepositoryCorruptionException(key, IndexDescriptor.VERSION_OFFSET, "index format version " +
                Bytes.getInt(index, IndexDescriptor.VERSION_OFFSET) + " is not " + IndexDescriptor.FORMAT_VERSION);
        }
        final long count = Bytes.getUnsignedInt(index, IndexDescriptor.COUNT_OFFSET);
        if (IndexDescriptor.HEADER_LENGTH + count * ROW_LENGTH != index.length)
        {
            throw new RepositoryCorruptionException(key, IndexDescriptor.COUNT_OFFSET, count + " rows do not fill " +
                index.length + " bytes");
        }
        if (Bytes.crc32c(index, IndexDescriptor.HEADER_LENGTH, index.length) !=
            Bytes.getInt(index, IndexDescriptor.ROWS_CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, IndexDescriptor.HEADER_LENGTH, "index rows CRC32C mismatch");
        }
        final long packLength = Bytes.getLong(index, IndexDescriptor.PACK_LENGTH_OFFSET);
        final long tableOffset = packLength - FOOTER_LENGTH - count * ROW_LENGTH - sealer.overhead();
        return rows(key, IndexDescriptor.HEADER_LENGTH, index, IndexDescriptor.HEADER_LENGTH, (int)count, tableOffset,
            sealer.overhead());
    }

    /** The id of a pack's bytes (SHA-256, hex). */
    public static String packId(final byte[] pack)
    {
        return HexFormat.of().formatHex(ChunkId.sha256().digest(pack));
    }

    /** @param overhead what sealing adds to a chunk's stored bytes (0 or 28) */
    private static List<PackEntry> rows(final String key, final long reportBase, final byte[] b, final int from,
        final int count, final long dataEnd, final int overhead) throws RepositoryCorruptionException
    {
        final List<PackEntry> entries = new ArrayList<>(count);
        long expected = HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int row = from + i * ROW_LENGTH;
            final long offset = Bytes.getLong(b, row + ROW_OFFSET_OFFSET);
            final int stored = Bytes.getInt(b, row + ROW_STORED_LENGTH_OFFSET);
            final int raw = Bytes.getInt(b, row + ROW_RAW_LENGTH_OFFSET);
            final int codec = b[row + ROW_CODEC_OFFSET];
            if (offset != expected || stored < 0 || raw < 0 || offset + stored > dataEnd ||
                (codec != ChunkCodec.NONE && codec != ChunkCodec.ZSTD) || stored < overhead ||
                (codec == ChunkCodec.NONE && stored != raw + overhead))
            {
                throw new RepositoryCorruptionException(key, reportBase + (long)i * ROW_LENGTH,
                    "table row " + i + " is not valid (offset=" + offset + " stored=" + stored + " raw=" + raw +
                    " codec=" + codec + ")");
            }
            expected = offset + stored;
            entries.add(new PackEntry(ChunkId.read(b, row + ROW_ID_OFFSET), offset, stored, raw, codec,
                Bytes.getInt(b, row + ROW_CRC_OFFSET)));
        }
        if (expected != dataEnd)
        {
            throw new RepositoryCorruptionException(key, reportBase, "the table's chunks end at " + expected +
                ", not at the table " + dataEnd);
        }
        return entries;
    }

    /** A pack footer's fields. */
    public record Footer(long tableOffset, int count, int tableCrc)
    {
        /** The table region's length: its rows, sealed in an encrypted repository. */
        public int tableLength(final Sealer sealer)
        {
            return count * ROW_LENGTH + sealer.overhead();
        }
    }
}
