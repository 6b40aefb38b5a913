package dev.engram.replica.internal;

import dev.engram.engine.Engram;
import dev.engram.recovery.BackupSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The Engram files of a replica snapshot (docs/replication.md, "Snapshots"): a directory {@code engram.<term>_<index>}
 * beside the snapshot file in Ratis' state machine directory, holding what a backup of the open store reads
 * ({@link Engram#backupSource}): the pinned checkpoint chain (hard links: checkpoint files are never changed once
 * renamed into place) and the journal cycle files after it, each copied up to the end of the last frame the source
 * holds. Chronicle's cycle files are long and sparse, so only that prefix is stored; {@value #LENGTHS} records each
 * cycle file's full length, and an install extends the copy back to it (the rest reads as zeros, as after a crash
 * right after that frame, which the journal's open handles).
 * <p>
 * Ratis sends every file of the directory to a follower that needs the snapshot (the leader's own snapshot-install
 * machinery, chunked, with an MD5 per file) and puts them in the follower's state machine directory under the same
 * names; {@link #install} then makes them the follower's Engram directory.
 */
public final class EngramSnapshotDir
{
    /** The name of the file listing each journal cycle file's full length ({@code <relative path>=<bytes>}). */
    public static final String LENGTHS = "journal-lengths";
    private static final String PREFIX = "engram.";
    private static final String TMP = ".tmp";

    private EngramSnapshotDir()
    {
    }

    /** @return the directory's name for a snapshot at (term, index). */
    public static String name(final long term, final long index)
    {
        return PREFIX + term + "_" + index;
    }

    /**
     * Build {@code smDir/engram.<term>_<index>} from the Engram as it is now (a checkpoint should have been taken
     * just before, so the journal copied after the chain is short).
     *
     * @return the Engram version the copy holds (at or after every version appended before the call).
     */
    public static long build(final Path smDir, final long term, final long index, final Engram engram,
        final long syncWaitMs) throws IOException
    {
        final Path dir = smDir.resolve(name(term, index));
        final Path tmp = smDir.resolve(name(term, index) + TMP);
        deleteTree(tmp);
        createPrivateDirectory(tmp);
        final long version;
        final Properties lengths = new Properties();
        try (BackupSource source = engram.backupSource(syncWaitMs))
        {
            version = source.version();
            for (final Path file : source.checkpointFiles())
            {
                final Path target = tmp.resolve(source.directory().relativize(file).toString());
                createPrivateDirectories(tmp, target.getParent());
                link(file, target);
            }
            for (final BackupSource.JournalFile journal : source.journalFiles())
            {
                final String relative = source.directory().relativize(journal.file()).toString();
                final Path target = tmp.resolve(relative);
                createPrivateDirectories(tmp, target.getParent());
                copyPrefix(journal.file(), target, journal.copyLength());
                lengths.setProperty(relative, Long.toString(journal.fileLength()));
            }
        }
        try (var writer = Files.newBufferedWriter(tmp.resolve(LENGTHS), StandardCharsets.UTF_8))
        {
            lengths.store(writer, "journal cycle files: full length in bytes (the copy holds a prefix)");
        }
        forceTree(tmp);
        deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(smDir);
        return version;
    }

    /** @return every regular file under {@code dir}, sorted by path. */
    public static List<Path> files(final Path dir) throws IOException
    {
        try (Stream<Path> walk = Files.walk(dir))
        {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * Remove the snapshot directories in {@code smDir} other than {@code keep} (and unfinished ones).
     */
    public static void removeOthers(final Path smDir, final String keep) throws IOException
    {
        try (Stream<Path> list = Files.list(smDir))
        {
            for (final Path p : list.toList())
            {
                final String n = p.getFileName().toString();
                if (n.startsWith(PREFIX) && !n.equals(keep) && Files.isDirectory(p))
                {
                    deleteTree(p);
                }
            }
        }
    }

    /**
     * Make the snapshot directory {@code source} the Engram directory {@code engramDir} (the Engram must be closed):
     * the files are linked (checkpoints) or copied (journal: the Engram writes to it) into a sibling
     * {@code engram.installing}, the journal cycle files extended to their full length, everything forced; then the
     * old directory is renamed aside, the new one into place, and the old one removed. A crash in between leaves the
     * snapshot in place and the node installs it again at its next start.
     */
    public static void install(final Path source, final Path engramDir) throws IOException
    {
        final Path lengthsFile = source.resolve(LENGTHS);
        if (!Files.isRegularFile(lengthsFile))
        {
            throw new IOException("replica snapshot directory " + source + " has no " + LENGTHS + " file: it is not a " +
                "complete snapshot; the node cannot rebuild its Engram from it (restart it so the leader sends it again)");
        }
        final Properties lengths = new Properties();
        try (var reader = Files.newBufferedReader(lengthsFile, StandardCharsets.UTF_8))
        {
            lengths.load(reader);
        }
        final Path tmp = engramDir.resolveSibling(engramDir.getFileName() + ".installing");
        final Path old = engramDir.resolveSibling(engramDir.getFileName() + ".replaced");
        deleteTree(tmp);
        deleteTree(old);
        createPrivateDirectory(tmp);
        for (final Path file : files(source))
        {
            final String relative = source.relativize(file).toString();
            if (relative.equals(LENGTHS))
            {
                continue;
            }
            final Path target = tmp.resolve(relative);
            createPrivateDirectories(tmp, target.getParent());
            final String length = lengths.getProperty(relative);
            if (length == null)
            {
                link(file, target);
            }
            else
            {
                Files.copy(file, target);
                try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw"))
                {
                    f.setLength(Long.parseLong(length));
                }
            }
        }
        forceTree(tmp);
        if (Files.exists(engramDir))
        {
            Files.move(engramDir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, engramDir, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(engramDir.getParent());
        deleteTree(old);
    }

    private static void link(final Path file, final Path target) throws IOException
    {
        try
        {
            Files.createLink(target, file);
        }
        catch (final IOException | UnsupportedOperationException e)
        {
            Files.copy(file, target);   // another file system, or no hard links
        }
    }

    private static void copyPrefix(final Path file, final Path target, final long length) throws IOException
    {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long done = 0;
            while (done < length)
            {
                final long n = in.transferTo(done, length - done, out);
                if (n <= 0)
                {
                    throw new IOException("journal cycle file " + file + " ended at byte " + done + " while copying " +
                        length + " bytes into replica snapshot file " + target);
                }
                done += n;
            }
        }
    }

    private static void createPrivateDirectories(final Path root, final Path dir) throws IOException
    {
        if (dir.equals(root) || Files.isDirectory(dir))
        {
            return;
        }
        createPrivateDirectories(root, dir.getParent());
        createPrivateDirectory(dir);
    }

    private static void createPrivateDirectory(final Path dir) throws IOException
    {
        Files.createDirectory(dir);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static void forceTree(final Path root) throws IOException
    {
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ))
                {
                    c.force(true);   // fsync through a read-only descriptor (checkpoint files may be read-only)
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException e) throws IOException
            {
                forceDirectory(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ))
        {
            c.force(true);
        }
    }

    /** Delete a file or directory tree if it exists. */
    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        final List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            walk.forEach(all::add);
        }
        for (int i = all.size() - 1; i >= 0; i--)
        {
            Files.deleteIfExists(all.get(i));
        }
    }
}
