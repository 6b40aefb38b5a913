package dev.engram.backup.internal.format;

/**
 * Layout of an index object, {@code index/<pack id>}: which chunks the pack of that id holds and where. All
 * integers little-endian.
 * <pre>
 *   [0, 32)            header
 *   [32, +64·count)    the pack's table rows, byte for byte as in the pack (PackDescriptor)
 *
 *   0  8  magic ENGRMIDX
 *   8  4  format version = 1
 *   12 4  row count
 *   16 8  pack length in bytes
 *   24 4  CRC32C of the rows
 *   28 4  CRC32C of [0, 28)
 * </pre>
 * The repository's index is the union of its index objects. An index object is written after its pack and is only
 * an accelerator: a pack without one gets it rebuilt from the pack's footer and table.
 */
public final class IndexDescriptor
{
    public static final String MAGIC = "ENGRMIDX";
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_LENGTH = 32;
    public static final int VERSION_OFFSET = 8;
    public static final int COUNT_OFFSET = 12;
    public static final int PACK_LENGTH_OFFSET = 16;
    public static final int ROWS_CRC_OFFSET = 24;
    public static final int HEADER_CRC_OFFSET = 28;

    private IndexDescriptor()
    {
    }
}
