package dev.engram.backup;

import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.ForwardingStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child of {@link BackupCrashTest}: backs up source directories {@code src-<seed>} (made here from the seed) into
 * the repository one after another, forever, printing {@code put <key>} before each object it writes and
 * {@code backed-up <seed> <backup id>} after each backup, until the parent kills it.
 * <p>
 * Args: repository directory, work directory, first seed[, passphrase of an encrypted repository].
 */
public final class BackupCrashChild
{
    private BackupCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path repo = Path.of(args[0]);
        final Path work = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        final BackupStorage storage = new Announcing(LocalDirectoryStorage.open(repo));
        final RepositoryKey key = args.length > 3 ? BackupCrashTest.key(args[3]) : null;
        try (Backups backups = Backups.open(storage, BackupSettings.defaults().withTargetPackBytes(32 << 10), key))
        {
            while (true)
            {
                final Path source = work.resolve("src-" + seed);
                if (!Files.exists(source))
                {
                    writeSource(source, seed);
                }
                final BackupResult result = backups.backup(source);
                System.out.println("backed-up " + seed + " " + result.backup().id());
                seed++;
            }
        }
    }

    /**
     * A directory shaped like a state directory ({@code journal/}): one file every seed shares, one that grows with
     * the seed (an append-only journal), one of the seed's own random bytes.
     */
    static void writeSource(final Path dir, final long seed) throws IOException
    {
        final Path temp = dir.resolveSibling(dir.getFileName() + ".partial");
        if (Files.exists(temp))
        {
            try (var files = Files.walk(temp))
            {
                for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
                {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(temp.resolve("journal"));
        Files.createDirectories(temp.resolve("checkpoints"));
        Files.write(temp.resolve("journal/shared.cq4"), random(1, 200_000));
        final byte[] grown = random(2, 100_000 + (int)(seed % 1000) * 3_000);
        Files.write(temp.resolve("journal/grown.cq4"), grown);
        Files.write(temp.resolve("checkpoints/own-" + seed), random(1000 + seed, 150_000));
        Files.move(temp, dir);
    }

    static byte[] random(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Prints a line before each put, so the parent can kill the child in the middle of a backup. */
    static final class Announcing extends ForwardingStorage
    {
        Announcing(final BackupStorage delegate)
        {
            super(delegate);
        }

        @Override
        public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
        {
            System.out.println("put " + key);
            return delegate.putIfAbsent(key, bytes);
        }
    }
}
