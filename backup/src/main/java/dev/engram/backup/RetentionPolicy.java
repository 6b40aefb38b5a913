package dev.engram.backup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which backups {@link Backups#prune} keeps. A backup is kept if any rule keeps it (as restic's {@code forget}), and
 * the newest backup is always kept.
 * <ul>
 *   <li>{@code keepLast}: the newest N backups;</li>
 *   <li>{@code keepWithin}: every backup made within this duration before the newest backup (not before now, so a
 *       repository nobody backs up into does not empty itself);</li>
 *   <li>{@code keepDaily}: for each of the newest N UTC days that have backups, the newest backup of that day.</li>
 * </ul>
 *
 * @param keepLast   0: rule off
 * @param keepWithin {@link Duration#ZERO}: rule off
 * @param keepDaily  0: rule off
 */
public record RetentionPolicy(int keepLast, Duration keepWithin, int keepDaily)
{
    public RetentionPolicy
    {
        if (keepLast < 0 || keepDaily < 0 || keepWithin.isNegative())
        {
            throw new IllegalArgumentException("retention rules must not be negative: " + keepLast + ", " +
                keepWithin + ", " + keepDaily);
        }
    }

    /** Keep the newest {@code n} backups. */
    public static RetentionPolicy keepLast(final int n)
    {
        return new RetentionPolicy(n, Duration.ZERO, 0);
    }

    /** Keep the backups made within {@code window} before the newest one. */
    public static RetentionPolicy keepWithin(final Duration window)
    {
        return new RetentionPolicy(0, window, 0);
    }

    /** Keep the newest backup of each of the newest {@code days} days that have one. */
    public static RetentionPolicy keepDaily(final int days)
    {
        return new RetentionPolicy(0, Duration.ZERO, days);
    }

    /** This policy and also the newest {@code n}. */
    public RetentionPolicy andLast(final int n)
    {
        return new RetentionPolicy(n, keepWithin, keepDaily);
    }

    /** This policy and also the backups within {@code window} before the newest. */
    public RetentionPolicy andWithin(final Duration window)
    {
        return new RetentionPolicy(keepLast, window, keepDaily);
    }

    /** This policy and also one a day for {@code days} days. */
    public RetentionPolicy andDaily(final int days)
    {
        return new RetentionPolicy(keepLast, keepWithin, days);
    }

    /** The ids of the backups this policy keeps, of those given. */
    public Set<Long> kept(final List<BackupInfo> backups)
    {
        final List<BackupInfo> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing(BackupInfo::created).thenComparing(BackupInfo::id).reversed());
        final Set<Long> kept = new HashSet<>();
        if (newestFirst.isEmpty())
        {
            return kept;
        }
        kept.add(newestFirst.get(0).id());
        for (int i = 0; i < Math.min(keepLast, newestFirst.size()); i++)
        {
            kept.add(newestFirst.get(i).id());
        }
        if (!keepWithin.isZero())
        {
            final Instant from = newestFirst.get(0).created().minus(keepWithin);
            for (final BackupInfo backup : newestFirst)
            {
                if (!backup.created().isBefore(from))
                {
                    kept.add(backup.id());
                }
            }
        }
        final Set<LocalDate> days = new HashSet<>();
        for (final BackupInfo backup : newestFirst)
        {
            if (days.size() >= keepDaily)
            {
                break;
            }
            if (days.add(LocalDate.ofInstant(backup.created(), ZoneOffset.UTC)))
            {
                kept.add(backup.id());
            }
        }
        return kept;
    }
}
