package dev.engram.recovery.internal.ordered;

import dev.engram.recovery.internal.checkpoint.KeyOrder;
import dev.engram.recovery.internal.overlay.OverlayKeyRuns;
import org.agrona.DirectBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks the union of a chain's sorted keys and an overlay's sorted runs within {@code [from, toExclusive)}, in key
 * order, each key once: a binary search per source to start, then a merge of the sources' heads (O(log n) runs).
 * It names keys only: whether a key is live now, and its value, the caller reads (overlay first, then the chain).
 */
public final class OrderedKeyMerge
{
    /** Receives each key; the view is valid only during the call. */
    @FunctionalInterface
    public interface KeyVisitor
    {
        void onKey(DirectBuffer key, int keyOffset, int keyLength);
    }

    private OrderedKeyMerge()
    {
    }

    /**
     * @param chain       the base's keys ({@link SortedKeys#EMPTY} for none).
     * @param runs        the overlay's keys.
     * @param from        the first key to visit (inclusive; empty for the first key).
     * @param toExclusive the key to stop before, or null for no bound.
     * @return keys named.
     */
    public static long merge(final SortedKeys chain, final OverlayKeyRuns.Runs runs, final byte[] from, final byte[] toExclusive,
        final KeyVisitor visitor)
    {
        final UnsafeBuffer chainView = chain.newView();
        final byte[] chainArray = chainView.byteArray();
        final long chainBase = chainView.addressOffset();
        int chainAt = chain.lowerBound(from);
        final long[][] run = runs.runs();
        final int[] at = new int[run.length];
        for (int r = 0; r < run.length; r++)
        {
            at[r] = lowerBound(run[r], from);
        }
        final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);
        long named = 0;
        while (true)
        {
            // the smallest head: the chain's, or a run's
            Object minArray = null;
            long minAddress = 0;
            int minLength = -1;
            if (chainAt < chain.size())
            {
                minArray = chainArray;
                minAddress = chainBase + chain.keyOffset(chainAt);
                minLength = chain.keyLength(chainAt);
            }
            for (int r = 0; r < run.length; r++)
            {
                if (at[r] < run[r].length)
                {
                    final long entry = run[r][at[r]];
                    final long keyAddress = OverlayKeyRuns.keyAddress(entry);
                    final int keyLength = OverlayKeyRuns.keyLength(entry);
                    if (minLength < 0 || KeyOrder.compare(null, keyAddress, keyLength, minArray, minAddress, minLength) < 0)
                    {
                        minArray = null;
                        minAddress = keyAddress;
                        minLength = keyLength;
                    }
                }
            }
            if (minLength < 0 || (toExclusive != null &&
                KeyOrder.compare(minArray, minAddress, minLength, toExclusive, BufferUtil.ARRAY_BASE_OFFSET, toExclusive.length) >= 0))
            {
                return named;
            }
            if (minArray != null)
            {
                visitor.onKey(chainView, (int)(minAddress - chainBase), minLength);
            }
            else
            {
                entryView.wrap(minAddress, minLength);
                visitor.onKey(entryView, 0, minLength);
            }
            named++;
            // step past the key in every source holding it
            if (chainAt < chain.size() &&
                KeyOrder.compare(chainArray, chainBase + chain.keyOffset(chainAt), chain.keyLength(chainAt), minArray, minAddress, minLength) == 0)
            {
                chainAt++;
            }
            for (int r = 0; r < run.length; r++)
            {
                if (at[r] < run[r].length)
                {
                    final long entry = run[r][at[r]];
                    if (KeyOrder.compare(null, OverlayKeyRuns.keyAddress(entry), OverlayKeyRuns.keyLength(entry), minArray,
                        minAddress, minLength) == 0)
                    {
                        at[r]++;
                    }
                }
            }
        }
    }

    private static int lowerBound(final long[] run, final byte[] key)
    {
        int low = 0;
        int high = run.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            final long entry = run[mid];
            if (KeyOrder.compare(null, OverlayKeyRuns.keyAddress(entry), OverlayKeyRuns.keyLength(entry), key,
                BufferUtil.ARRAY_BASE_OFFSET, key.length) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
