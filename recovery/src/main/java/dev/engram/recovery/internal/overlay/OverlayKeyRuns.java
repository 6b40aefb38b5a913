package dev.engram.recovery.internal.overlay;

import org.agrona.UnsafeApi;

import dev.engram.recovery.internal.checkpoint.KeyOrder;
import java.util.Arrays;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KEY_LENGTH_OFFSET;
import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KEY_OFFSET;

/**
 * An overlay's keys in key order, kept by its readers (not by the writer): sorted runs of entry addresses covering
 * a prefix of the {@link OverlayKeyLog}. A reader that finds keys the runs do not cover yet sorts them into a new
 * run and merges runs whose lengths are within a factor of two (so there are O(log n) runs and each key is merged
 * O(log n) times), then publishes the new runs for every reader. Published runs are immutable; building them is
 * serialised on this object. The addresses stay valid as long as the overlay is open (readers are inside its
 * state generation, or hold its snapshot).
 */
public final class OverlayKeyRuns
{
    /** Sorted runs of entry addresses, covering the first {@code covered} entries of the log. */
    public record Runs(long[][] runs, int covered)
    {
    }

    private final OverlayKeyLog log;
    private volatile Runs current = new Runs(new long[0][], 0);

    OverlayKeyRuns(final OverlayKeyLog log)
    {
        this.log = log;
    }

    /**
     * @return runs covering at least every key the overlay held when called.
     */
    public Runs runs()
    {
        final int count = log.count();
        final Runs runs = current;
        return runs.covered() >= count ? runs : extend(count);
    }

    private synchronized Runs extend(final int count)
    {
        final Runs runs = current;
        if (runs.covered() >= count)
        {
            return runs;
        }
        final int n = count - runs.covered();
        final long[] tail = new long[n];
        for (int i = 0; i < n; i++)
        {
            tail[i] = log.address(runs.covered() + i);
        }
        sort(tail);
        long[][] list = Arrays.copyOf(runs.runs(), runs.runs().length + 1);
        list[list.length - 1] = tail;
        while (list.length >= 2 && list[list.length - 2].length <= 2L * list[list.length - 1].length)
        {
            final long[] merged = merge(list[list.length - 2], list[list.length - 1]);
            list = Arrays.copyOf(list, list.length - 1);
            list[list.length - 1] = merged;
        }
        final Runs next = new Runs(list, count);
        current = next;
        return next;
    }

    private static void sort(final long[] addresses)
    {
        if (addresses.length < 2)
        {
            return;
        }
        final long[] scratch = addresses.clone();
        sort(scratch, addresses, 0, addresses.length);
    }

    private static void sort(final long[] src, final long[] dst, final int from, final int to)
    {
        if (to - from <= 16)
        {
            for (int i = from + 1; i < to; i++)
            {
                final long item = dst[i];
                int j = i - 1;
                while (j >= from && compareEntries(dst[j], item) > 0)
                {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = item;
            }
            return;
        }
        final int middle = (from + to) >>> 1;
        sort(dst, src, from, middle);
        sort(dst, src, middle, to);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++)
        {
            dst[i] = right >= to || (left < middle && compareEntries(src[left], src[right]) <= 0) ? src[left++] : src[right++];
        }
    }

    private static long[] merge(final long[] a, final long[] b)
    {
        final long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        for (int k = 0; k < out.length; k++)
        {
            out[k] = j >= b.length || (i < a.length && compareEntries(a[i], b[j]) <= 0) ? a[i++] : b[j++];
        }
        return out;
    }

    /**
     * @return the key length of the entry at {@code entryAddress} (never changes once inserted).
     */
    public static int keyLength(final long entryAddress)
    {
        return UnsafeApi.getInt(entryAddress + KEY_LENGTH_OFFSET);
    }

    /**
     * @return the address of the key bytes of the entry at {@code entryAddress}.
     */
    public static long keyAddress(final long entryAddress)
    {
        return entryAddress + KEY_OFFSET;
    }

    static int compareEntries(final long a, final long b)
    {
        return KeyOrder.compare(null, a + KEY_OFFSET, keyLength(a), null, b + KEY_OFFSET, keyLength(b));
    }
}
