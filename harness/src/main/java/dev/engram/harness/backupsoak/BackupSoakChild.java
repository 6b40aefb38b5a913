package dev.engram.harness.backupsoak;

import dev.engram.backup.BackupInfo;
import dev.engram.backup.BackupResult;
import dev.engram.backup.BackupSettings;
import dev.engram.backup.Backups;
import dev.engram.backup.ContinuousBackup;
import dev.engram.backup.PruneResult;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import dev.engram.backup.RetentionPolicy;
import dev.engram.backup.VersionRange;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import dev.engram.journal.EngramSystemProperties;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM a backup-soak cycle kills ({@code Main backup-soak-child OP REPO STORE WORK SEED}): runs one operation again
 * and again until killed, printing each storage call ({@link AnnouncingStorage}) and {@code begin ...} / {@code end ...}
 * around each operation, so that the parent knows where the kill landed and what a finished operation produced:
 * <ul>
 *   <li>{@code backup}: opens the store, appends from a producer thread, backs it up live (a checkpoint before every
 *       third); {@code end backup ID VERSION}.</li>
 *   <li>{@code ship}: the same store and producer, shipped by {@code ContinuousBackup} every 100 ms;
 *       {@code shipped VERSION} as it advances.</li>
 *   <li>{@code prune}: prunes keeping the last 2 to 4 (seeded); when at most that many are listed, makes two live
 *       backups of the store (producer appending) first. {@code end prune DELETED PACKS UNREFERENCED_KEPT}.</li>
 *   <li>{@code restore}: restores the latest backup, one by id or a version in a backup's range (seeded) into
 *       {@code WORK/restore-N}; {@code begin restore DIR EXPECTED_VERSION TARGET}, {@code end restore DIR VERSION}.
 *       The store is not opened.</li>
 * </ul>
 * A producer that gets another version than the one it computed prints {@code producer-failed ...} and stops.
 */
public final class BackupSoakChild
{
    /** The harness command that runs a child. */
    public static final String COMMAND = "backup-soak-child";
    /** The repository's settings in the soak: small packs, so that a backup writes many objects to be killed among. */
    static final BackupSettings SETTINGS = BackupSettings.defaults().withTargetPackBytes(64 << 10);
    /** Appends per second of the producer (a steady load: the soak is about kills, not rate). */
    static final int APPENDS_PER_SECOND = 2_000;

    private BackupSoakChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final SoakOperation op = SoakOperation.of(args[0]);
        final Path repo = Path.of(args[1]);
        final Path store = Path.of(args[2]);
        final Path work = Path.of(args[3]);
        final Random random = new Random(Long.parseLong(args[4]));
        final PrintStream out = System.out;
        try (Backups backups = Backups.open(new AnnouncingStorage(LocalDirectoryStorage.open(repo), out), SETTINGS))
        {
            if (op == SoakOperation.RESTORE)
            {
                restoreForever(backups, work, random, out);
                return;
            }
            try (Engram engram = Engram.open(store, SoakWorkload.context()))
            {
                startProducer(engram, out);
                switch (op)
                {
                    case BACKUP -> backupForever(backups, engram, out);
                    case SHIP -> shipForever(backups, engram, out);
                    case PRUNE -> pruneForever(backups, engram, random, out);
                    default -> throw new IllegalStateException(op.name());
                }
            }
        }
    }

    private static void backupForever(final Backups backups, final Engram engram, final PrintStream out) throws Exception
    {
        for (int n = 0; ; n++)
        {
            if (n % 3 == 2)
            {
                engram.checkpoint();
            }
            print(out, "begin backup");
            final BackupResult result = backups.backup(engram);
            print(out, "end backup " + result.backup().id() + " " + result.backup().stateVersion());
        }
    }

    private static void shipForever(final Backups backups, final Engram engram, final PrintStream out) throws Exception
    {
        try (ContinuousBackup shipping = ContinuousBackup.start(backups, engram, 100))
        {
            long shipped = 0;
            while (true)
            {
                if (shipping.awaitShipped(shipped + 1, 1, TimeUnit.SECONDS))
                {
                    shipped = shipping.shippedVersion();
                    print(out, "shipped " + shipped);
                }
            }
        }
    }

    private static void pruneForever(final Backups backups, final Engram engram, final Random random,
        final PrintStream out) throws Exception
    {
        while (true)
        {
            final int keep = 2 + random.nextInt(3);
            while (backups.list().size() <= keep)
            {
                print(out, "begin backup");
                final BackupResult result = backups.backup(engram);
                print(out, "end backup " + result.backup().id() + " " + result.backup().stateVersion());
            }
            print(out, "begin prune " + keep);
            final PruneResult result = backups.prune(RetentionPolicy.keepLast(keep));
            print(out, "end prune " + result.deletedBackups().size() + " " + result.deletedPacks() + " " +
                result.unreferencedKept());
        }
    }

    private static void restoreForever(final Backups backups, final Path work, final Random random,
        final PrintStream out) throws Exception
    {
        for (int n = 0; ; n++)
        {
            final List<BackupInfo> listed = backups.list();
            if (listed.isEmpty())
            {
                throw new IllegalStateException("no backup to restore in " + backups.storage().describe());
            }
            final Path target = work.resolve("restore-" + n);
            final RestoreTarget what;
            final long expected;
            final int kind = random.nextInt(3);
            if (kind == 0)
            {
                what = RestoreTarget.latest();
                expected = listed.get(listed.size() - 1).stateVersion();
            }
            else if (kind == 1)
            {
                final BackupInfo info = listed.get(random.nextInt(listed.size()));
                what = RestoreTarget.backup(info.id());
                expected = info.stateVersion();
            }
            else
            {
                final List<VersionRange> ranges = backups.versionRanges();
                final VersionRange range = ranges.get(random.nextInt(ranges.size()));
                final long from = Math.max(1, range.firstVersion());
                expected = from + (long)(random.nextDouble() * (range.lastVersion() - from + 1));
                what = RestoreTarget.version(Math.min(expected, range.lastVersion()));
            }
            print(out, "begin restore " + target + " " + expected + " " + what);
            final RestoreResult result = backups.restore(what, target);
            print(out, "end restore " + target + " " + result.stateVersion());
        }
    }

    /** Appends the workload's versions after the store's last one, without pause; returns once 200 are appended. */
    private static void startProducer(final Engram engram, final PrintStream out) throws InterruptedException
    {
        final CountDownLatch appending = new CountDownLatch(1);
        final long first = engram.lastAppendedVersion() + 1;
        final Thread producer = new Thread(() ->
        {
            final long nanosPerAppend = TimeUnit.SECONDS.toNanos(1) / APPENDS_PER_SECOND;
            final long start = System.nanoTime();
            for (long version = first; ; version++)
            {
                if (version == first + 200)
                {
                    appending.countDown();
                }
                final long got = SoakWorkload.append(engram, version);
                if (got != version)
                {
                    print(out, "producer-failed expected version " + version + " got " + got);
                    return;
                }
                while ((version - first + 1) * nanosPerAppend > System.nanoTime() - start)
                {
                    LockSupport.parkNanos(200_000);
                }
            }
        }, "soak-producer");
        producer.setDaemon(true);
        producer.start();
        if (!appending.await(120, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("the producer appended fewer than 200 versions in 120 s");
        }
        print(out, "appending from " + first);
    }

    private static void print(final PrintStream out, final String line)
    {
        synchronized (out)
        {
            out.println(line);
        }
    }
}
