package dev.engram.recovery.internal.chain;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.OpType;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Which pages of which keys the journal range of one checkpoint build changed, from the ops themselves: a PATCH marks
 * the pages its bytes fall on, any other op (PUT, DELETE) marks the whole key. A delta checkpoint then writes only
 * those pages of a paged value and references its parent's pages for the rest.
 * <p>
 * Why from the ops rather than by comparing page hashes at build time: it is exact (no hash to collide, no old page to
 * read or decompress), and it costs one pass over the ops the build reads anyway. Keys are tracked by their 64-bit
 * {@link KeyHash}: two keys sharing a hash only mark more pages (or a whole key) as changed, never fewer, so a
 * collision costs bytes, never correctness.
 */
final class PageChanges
{
    /** The whole key changed. */
    private static final long[] WHOLE = new long[0];

    private final int pageLength;
    private final Long2ObjectHashMap<long[]> byKeyHash = new Long2ObjectHashMap<>();

    /**
     * @param pageLength the page length pages are counted in.
     */
    PageChanges(final int pageLength)
    {
        this.pageLength = pageLength;
    }

    /**
     * Record a frame's ops (walked from the first; the frame's op cursor is reset after).
     */
    void onFrame(final DeltaFrame frame)
    {
        try
        {
            while (frame.nextOp())
            {
                final long hash = KeyHash.hash(frame.buffer(), frame.keyOffset(), frame.keyLength());
                if (frame.opType() != OpType.PATCH)
                {
                    byKeyHash.put(hash, WHOLE);
                    continue;
                }
                long[] bits = byKeyHash.get(hash);
                if (bits == WHOLE)
                {
                    continue;
                }
                final long offset = frame.patchOffset();
                final long first = offset / pageLength;
                final long last = (offset + Math.max(1, frame.dataLength()) - 1) / pageLength;
                if (offset < 0 || last >= Integer.MAX_VALUE)
                {
                    byKeyHash.put(hash, WHOLE);   // outside any value: the applier quarantines the key
                    continue;
                }
                final int words = (int)(last >>> 6) + 1;
                if (bits == null || bits.length < words)
                {
                    bits = bits == null ? new long[words] : java.util.Arrays.copyOf(bits, Math.max(words, bits.length * 2));
                    byKeyHash.put(hash, bits);
                }
                for (long page = first; page <= last; page++)
                {
                    bits[(int)(page >>> 6)] |= 1L << page;
                }
            }
        }
        finally
        {
            frame.resetOps();
        }
    }

    /**
     * @return the changed pages of a key as a bit set (page i is bit i), or null if the key changed whole (or was not
     * seen: then nothing is known of it).
     */
    long[] changedPages(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final long[] bits = byKeyHash.get(KeyHash.hash(key, keyOffset, keyLength));
        return bits == WHOLE ? null : bits;
    }

    /**
     * @return whether page {@code page} is set in {@code bits}.
     */
    static boolean isSet(final long[] bits, final int page)
    {
        final int word = page >>> 6;
        return word < bits.length && (bits[word] & 1L << page) != 0;
    }
}
