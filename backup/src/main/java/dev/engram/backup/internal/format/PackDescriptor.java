package dev.engram.backup.internal.format;

/**
 * Layout of a pack object, {@code packs/<first two hex digits of the pack id>/<pack id>}, where the pack id is the
 * SHA-256 of the whole pack (64 hex digits). All integers little-endian.
 * <pre>
 *   [0, 32)                    header
 *   [32, tableOffset)          the chunks' stored bytes, back to back, in table order
 *   [tableOffset, +64·count)   table, one 64-byte row per chunk
 *   [length − 32, length)      footer
 *
 *   header                      table row                          footer
 *   0  8  magic ENGRMPAK        0  32 chunk id (SHA-256)           0  8  magic ENGRMPKF
 *   8  4  format version = 1    32  8 offset of the stored bytes   8  8  table offset
 *   12 4  chunk count           40  4 stored length                16 4  chunk count
 *   16 8  created, epoch ms     44  4 raw length                   20 4  CRC32C of the table
 *   24 4  flags: bit 0 sealed   48  1 codec: 0 none, 1 zstd        24 4  flags: bit 0 sealed
 *   28 4  CRC32C of [0, 28)     49  3 reserved, 0                  28 4  CRC32C of [0, 28)
 *                               52  4 CRC32C of the stored bytes
 *                               56  8 reserved, 0
 * </pre>
 * In an encrypted repository (flags bit 0, {@link SealedDescriptor}) each chunk's stored bytes and the table are
 * sealed pieces (nonce ‖ ciphertext ‖ tag): the row's stored length and CRC32C are of the sealed bytes, its codec and
 * raw length of what is inside; the table region is 28 bytes longer than its rows.
 * The index object of a pack ({@link IndexDescriptor}) repeats its table, so the index can be rebuilt from the
 * packs (reading each one's footer and table only).
 */
public final class PackDescriptor
{
    public static final String MAGIC = "ENGRMPAK";
    public static final String FOOTER_MAGIC = "ENGRMPKF";
    public static final int FORMAT_VERSION = 1;

    public static final int HEADER_LENGTH = 32;
    public static final int HEADER_VERSION_OFFSET = 8;
    public static final int HEADER_COUNT_OFFSET = 12;
    public static final int HEADER_CREATED_OFFSET = 16;
    public static final int HEADER_FLAGS_OFFSET = 24;
    public static final int HEADER_CRC_OFFSET = 28;
    /** Header and footer flag: the chunks and the table are sealed. */
    public static final int FLAG_SEALED = 1;

    public static final int ROW_LENGTH = 64;
    public static final int ROW_ID_OFFSET = 0;
    public static final int ROW_OFFSET_OFFSET = 32;
    public static final int ROW_STORED_LENGTH_OFFSET = 40;
    public static final int ROW_RAW_LENGTH_OFFSET = 44;
    public static final int ROW_CODEC_OFFSET = 48;
    public static final int ROW_CRC_OFFSET = 52;

    public static final int FOOTER_LENGTH = 32;
    public static final int FOOTER_TABLE_OFFSET_OFFSET = 8;
    public static final int FOOTER_COUNT_OFFSET = 16;
    public static final int FOOTER_TABLE_CRC_OFFSET = 20;
    public static final int FOOTER_FLAGS_OFFSET = 24;
    public static final int FOOTER_CRC_OFFSET = 28;

    private PackDescriptor()
    {
    }
}
