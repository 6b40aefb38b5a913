package dev.engram.recovery.internal.ordered;

/**
 * A merge sort of {@code int} indices by a comparator over what they name (no boxing).
 */
final class IndexSort
{
    /** Compares the items two indices name. */
    @FunctionalInterface
    interface IndexComparator
    {
        int compare(int x, int y);
    }

    private static final int INSERTION_LIMIT = 24;

    private IndexSort()
    {
    }

    static void sort(final int[] items, final IndexComparator comparator)
    {
        if (items.length < 2)
        {
            return;
        }
        final int[] scratch = items.clone();
        sort(scratch, items, 0, items.length, comparator);
    }

    /** Sort {@code src[from, to)} into {@code dst[from, to)} (both hold the same items on entry). */
    private static void sort(final int[] src, final int[] dst, final int from, final int to, final IndexComparator comparator)
    {
        if (to - from <= INSERTION_LIMIT)
        {
            for (int i = from + 1; i < to; i++)
            {
                final int item = dst[i];
                int j = i - 1;
                while (j >= from && comparator.compare(dst[j], item) > 0)
                {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = item;
            }
            return;
        }
        final int middle = (from + to) >>> 1;
        sort(dst, src, from, middle, comparator);
        sort(dst, src, middle, to, comparator);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++)
        {
            if (right >= to || (left < middle && comparator.compare(src[left], src[right]) <= 0))
            {
                dst[i] = src[left++];
            }
            else
            {
                dst[i] = src[right++];
            }
        }
    }
}
