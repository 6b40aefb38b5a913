package dev.engram.harness.stress;

import java.util.Arrays;

/**
 * Checks one iteration ({@code forEach}, {@code keys}, a snapshot's {@code forEach}) against the iteration
 * contract: every key of the live set (written before the iteration began, never deleted) under the prefix
 * is seen exactly once; a key of the churn set (created and deleted meanwhile) at most once; nothing else.
 * Values seen are checked by the thread's {@link StressReader}; with floors, live values must also be at
 * least as new as what was applied before the iteration began. Not thread-safe: one per thread, and one
 * iteration at a time (a nested iteration needs its own).
 */
final class IterationCheck
{
    private final StressKeys live;
    private final StressKeys churn;
    private final StressReader reader;
    private final int[] liveSeen;
    private final int[] churnSeen;
    private int liveFrom;
    private int liveTo;
    private int churnFrom;
    private int churnTo;
    private long[] floors;
    private String what;
    private long entries;
    private long unknown;

    /**
     * @param churn may be null.
     */
    IterationCheck(final StressKeys live, final StressKeys churn, final StressReader reader)
    {
        this.live = live;
        this.churn = churn;
        this.reader = reader;
        this.liveSeen = new int[live.count()];
        this.churnSeen = new int[churn == null ? 0 : churn.count()];
    }

    /**
     * Start checking an iteration over {@code prefix}.
     *
     * @param what       names the call in failure reports.
     * @param withFloors whether live values must be at least as new as their floors now (a live-state
     *                   iteration; not a past version's).
     */
    void begin(final String what, final String prefix, final boolean withFloors)
    {
        this.what = what;
        Arrays.fill(liveSeen, 0);
        Arrays.fill(churnSeen, 0);
        final int[] range = range(live, prefix);
        liveFrom = range[0];
        liveTo = range[1];
        final int[] churnRange = churn == null ? new int[] {0, 0} : range(churn, prefix);
        churnFrom = churnRange[0];
        churnTo = churnRange[1];
        floors = withFloors ? live.floors() : null;
        entries = 0;
        unknown = 0;
    }

    /**
     * @return [from, to) of the set's indexes whose names start with {@code prefix}.
     */
    private static int[] range(final StressKeys keys, final String prefix)
    {
        if (keys.prefix().startsWith(prefix))
        {
            return new int[] {0, keys.count()};
        }
        if (!prefix.startsWith(keys.prefix()) || prefix.length() > keys.prefix().length() + 5)
        {
            return new int[] {0, 0};
        }
        final String digits = prefix.substring(keys.prefix().length());
        if (!digits.chars().allMatch(Character::isDigit))
        {
            return new int[] {0, 0};
        }
        final int scale = (int)Math.pow(10, 5 - digits.length());
        final int first = digits.isEmpty() ? 0 : Integer.parseInt(digits);
        return new int[] {Math.min(keys.count(), first * scale), Math.min(keys.count(), (first + 1) * scale)};
    }

    /**
     * One entry of the iteration.
     *
     * @param value null when the call gives keys only.
     */
    void onEntry(final String key, final byte[] value)
    {
        entries++;
        final int liveIndex = live.indexOf(key);
        if (liveIndex >= 0)
        {
            liveSeen[liveIndex]++;
            if (value != null)
            {
                reader.check(key, live.hash(liveIndex), value, floors == null ? 0 : floors[liveIndex]);
            }
            return;
        }
        final int churnIndex = churn == null ? -1 : churn.indexOf(key);
        if (churnIndex >= 0)
        {
            churnSeen[churnIndex]++;
            if (value != null)
            {
                reader.check(key, churn.hash(churnIndex), value, 0);
            }
            return;
        }
        if (unknown++ < 3)
        {
            reader.stats().wrongValue(reader.thread(), what + " returned a key no writer wrote: '" + key + "'");
        }
    }

    /**
     * The iteration returned normally: check what it saw.
     *
     * @return entries seen.
     */
    long end()
    {
        final StressStats stats = reader.stats();
        stats.iterations.increment();
        stats.reads.add(entries);
        long missing = 0;
        long twice = 0;
        long outside = 0;
        final StringBuilder missingKeys = new StringBuilder();
        final StringBuilder twiceKeys = new StringBuilder();
        for (int i = 0; i < liveSeen.length; i++)
        {
            final boolean wanted = i >= liveFrom && i < liveTo;
            if (wanted && liveSeen[i] == 0)
            {
                if (missing++ < 5)
                {
                    missingKeys.append(' ').append(live.name(i));
                }
            }
            else if (liveSeen[i] > 1)
            {
                if (twice++ < 5)
                {
                    twiceKeys.append(' ').append(live.name(i)).append(" x").append(liveSeen[i]);
                }
            }
            else if (!wanted && liveSeen[i] > 0)
            {
                outside++;
            }
        }
        for (int i = 0; i < churnSeen.length; i++)
        {
            if (churnSeen[i] > 1)
            {
                if (twice++ < 5)
                {
                    twiceKeys.append(' ').append(churn.name(i)).append(" x").append(churnSeen[i]);
                }
            }
            else if (churnSeen[i] > 0 && (i < churnFrom || i >= churnTo))
            {
                outside++;
            }
        }
        if (missing > 0)
        {
            stats.missed(reader.thread(), missing, what + " missed " + missing + " of " + (liveTo - liveFrom) +
                " keys that existed before it began and were never deleted:" + missingKeys);
        }
        if (twice > 0)
        {
            stats.duplicated(reader.thread(), twice, what + " returned " + twice + " keys more than once:" + twiceKeys);
        }
        if (outside > 0)
        {
            stats.wrongValue(reader.thread(), what + " returned " + outside + " keys outside its prefix");
        }
        return entries;
    }
}
