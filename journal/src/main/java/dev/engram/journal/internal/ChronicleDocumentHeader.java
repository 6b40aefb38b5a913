package dev.engram.journal.internal;

/**
 * The 4-byte header Chronicle Queue writes before every document in a cycle file (little-endian int),
 * as the journal's fast scanner reads it. Documents start on 4-byte boundaries: the next header is at
 * {@code align4(headerPosition + 4 + length)}.
 * <pre>
 *   bit 31      not complete: a writer is still writing the document (or died doing it)
 *   bit 30      metadata (Chronicle's own: store header, index arrays, padding), not an excerpt
 *   bits 0..29  length of the document body, in bytes
 *   0           nothing written yet: the end of the data
 *   0xC0000000  end of this cycle file (not complete + metadata): the queue rolled to a later cycle
 * </pre>
 * A delta frame is the body of one complete data document (bits 30 and 31 clear).
 */
public final class ChronicleDocumentHeader
{
    public static final int HEADER_LENGTH = 4;
    public static final int NOT_COMPLETE = 0x8000_0000;
    public static final int META_DATA = 0x4000_0000;
    public static final int LENGTH_MASK = 0x3FFF_FFFF;
    public static final int NOT_INITIALIZED = 0;
    public static final int END_OF_DATA = NOT_COMPLETE | META_DATA;

    private ChronicleDocumentHeader()
    {
    }

    /**
     * @return the position of the document after one whose header is at {@code headerPosition}.
     */
    public static long nextHeaderPosition(final long headerPosition, final int header)
    {
        return (headerPosition + HEADER_LENGTH + (header & LENGTH_MASK) + 3) & ~3L;
    }
}
