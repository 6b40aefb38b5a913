package dev.engram.recovery.internal.checkpoint;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a page map: the value bytes of an entry flagged {@link CheckpointEntryDescriptor#FLAG_PAGED} (format 2).
 * A large value is cut into pages of Page Length bytes (the last one may be shorter); each page is one page block
 * ({@link BlockTableDescriptor#FLAG_PAGE}), in this file or in an older file of the same chain, named by that file's
 * chain ordinal and the block's index in it. A delta checkpoint writes only the pages that changed since its parent
 * and names its parent's pages for the rest, so it costs what changed. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Value Length (u64)                            |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Page Length (u32, 1 KiB..target block length) |  8
 *  +---------------------------------------------------------------+
 *  |                 Page Count (u32) = ceil(value / page length)  | 12
 *  +---------------------------------------------------------------+
 *  |        Page 0: Chain Ordinal (u32) of the file holding it     | 16
 *  +---------------------------------------------------------------+
 *  |        Page 0: Block Index (u32) in that file                 | 20
 *  +---------------------------------------------------------------+
 *  |        ... one 8-byte reference per page                     ...
 * </pre>
 * Rules (checked before a page is read): value length ≥ 1; page count = ceil(value length / page length); the map is
 * exactly {@code 16 + 8 × page count} bytes; a reference's ordinal is at most the referring file's own; the block it
 * names is a page block whose raw length is the page's length (Page Length, or the remainder for the last page).
 * The map is covered by the CRC32C of the block holding the entry, each page by its own block's CRC32C, and both by
 * the Merkle root (which hashes every block table row, page blocks included).
 */
public final class PageMapDescriptor
{
    public static final int VALUE_LENGTH_OFFSET = 0;
    public static final int PAGE_LENGTH_OFFSET = 8;
    public static final int PAGE_COUNT_OFFSET = 12;
    public static final int PAGES_OFFSET = 16;
    public static final int PAGE_REF_LENGTH = 8;
    public static final int REF_ORDINAL_OFFSET = 0;
    public static final int REF_BLOCK_OFFSET = 4;

    /** The smallest page length a writer may use. */
    public static final int MIN_PAGE_LENGTH = 1024;

    private PageMapDescriptor()
    {
    }

    /**
     * @return the map's length for {@code pageCount} pages.
     */
    public static int mapLength(final int pageCount)
    {
        return PAGES_OFFSET + pageCount * PAGE_REF_LENGTH;
    }

    /**
     * @return pages of {@code pageLength} a value of {@code valueLength} bytes needs.
     */
    public static int pageCount(final long valueLength, final int pageLength)
    {
        return (int)((valueLength + pageLength - 1) / pageLength);
    }

    /**
     * @return the length of page {@code page} of such a value.
     */
    public static int pageLength(final long valueLength, final int pageLength, final int page)
    {
        return (int)Math.min(pageLength, valueLength - (long)page * pageLength);
    }

    /**
     * @return a page reference as one word: ordinal in the high 32 bits, block index in the low.
     */
    public static long ref(final int ordinal, final int blockIndex)
    {
        return (long)ordinal << 32 | (blockIndex & 0xFFFF_FFFFL);
    }

    /**
     * @return reference {@code page} of the map at {@code offset} of {@code map}, as {@link #ref(int, int)} packs it.
     */
    public static long ref(final DirectBuffer map, final int offset, final int page)
    {
        final int at = offset + PAGES_OFFSET + page * PAGE_REF_LENGTH;
        return ref(map.getInt(at + REF_ORDINAL_OFFSET, LITTLE_ENDIAN), map.getInt(at + REF_BLOCK_OFFSET, LITTLE_ENDIAN));
    }

    public static int refOrdinal(final long ref)
    {
        return (int)(ref >>> 32);
    }

    public static int refBlock(final long ref)
    {
        return (int)ref;
    }
}
