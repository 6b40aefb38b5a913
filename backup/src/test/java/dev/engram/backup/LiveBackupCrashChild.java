package dev.engram.backup;

import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The child of {@link LiveBackupCrashTest}: opens (or reopens) the store, appends from a producer thread without
 * pause, and backs the open store up again and again (a checkpoint every third backup), printing {@code put <key>}
 * before each object the backup writes and {@code backed-up <id> <state version>} after each, until the parent kills
 * it. The change at each version is a function of the version alone ({@link #apply}), so the parent knows the state
 * at any version.
 * <p>
 * Args: repository directory, store directory.
 */
public final class LiveBackupCrashChild
{
    static final int KEYS = 200;

    private LiveBackupCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Engram engram = Engram.open(Path.of(args[1]), Stores.ctx());
             Backups backups = Backups.open(new BackupCrashChild.Announcing(LocalDirectoryStorage.open(Path.of(args[0])))))
        {
            final java.util.concurrent.CountDownLatch appending = new java.util.concurrent.CountDownLatch(1);
            final long first = engram.lastAppendedVersion() + 1;
            final Thread producer = new Thread(() ->
            {
                for (long version = first; ; version++)
                {
                    if (version == first + 200)
                    {
                        appending.countDown();
                    }
                    final String key = key(version);
                    final long got = version % 13 == 12 ? engram.delta().delete(key).commit() :
                        engram.delta().put(key, value(version)).commit();
                    if (got != version)
                    {
                        System.out.println("producer expected version " + version + " got " + got);
                        return;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);   // a steady load, not a flood
                }
            }, "producer");
            producer.setDaemon(true);
            producer.start();
            appending.await();
            for (int n = 0; ; n++)
            {
                if (n % 3 == 2)
                {
                    engram.checkpoint();
                }
                final BackupResult result = backups.backup(engram);
                System.out.println("backed-up " + result.backup().id() + " " + result.backup().stateVersion());
            }
        }
    }

    static String key(final long version)
    {
        return "key/" + (version * 7 % KEYS);
    }

    static byte[] value(final long version)
    {
        return ("value-" + version + "-" + "x".repeat((int)(version % 100))).getBytes(StandardCharsets.UTF_8);
    }

    /** The state at a version: every version's change applied in order; asked for versions in ascending order. */
    static final class Model
    {
        private final TreeMap<String, String> state = new TreeMap<>();
        private long version;

        Map<String, String> at(final long wanted)
        {
            if (wanted < version)
            {
                throw new IllegalArgumentException("model at " + version + " asked for " + wanted);
            }
            for (long v = version + 1; v <= wanted; v++)
            {
                if (v % 13 == 12)
                {
                    state.remove(key(v));
                }
                else
                {
                    state.put(key(v), new String(value(v), StandardCharsets.UTF_8));
                }
            }
            version = wanted;
            return new TreeMap<>(state);
        }
    }
}
