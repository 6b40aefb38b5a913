package dev.engram.harness.history;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Key indexes {@code 0..n-1} drawn with probability proportional to {@code 1 / (rank + 1)^s}: a cumulative table
 * searched by bisection. Shared by the history and disk benches.
 */
public final class ZipfKeys
{
    private final double[] cumulative;

    public ZipfKeys(final int n, final double s)
    {
        cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += 1.0 / Math.pow(i + 1, s);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++)
        {
            cumulative[i] /= sum;
        }
    }

    public int next(final SplittableRandom random)
    {
        final int at = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(cumulative.length - 1, at >= 0 ? at : -at - 1);
    }
}
