package dev.engram.recovery.internal.procedure;

import dev.engram.recovery.RecoveryException;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateStore;
import dev.engram.recovery.internal.history.TagFileDescriptor;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a state directory held before {@link StateStore#open} touched it: absent or empty (a new store), an Engram
 * store, or something else (refused before anything is written). A failed open puts it back as it was: a new
 * store's directory is removed again, an existing store loses only the lock file and checkpoint directory the
 * open itself created.
 */
final class StateDirectory
{
    /** Names Engram writes at the top of a state directory (and their temp files). */
    private static final Set<String> OWN = Set.of("journal", "checkpoints", RecoveryProcedure.LOCK_FILE,
        CleanShutdownRecord.FILE_NAME, TagFileDescriptor.FILE_NAME);

    private final Path directory;
    private final boolean existed;
    private final boolean fresh;
    private final boolean lockExisted;
    private final boolean checkpointsExisted;
    private final Path checkpointDirectory;

    private StateDirectory(final Path directory, final Path checkpointDirectory, final boolean existed, final boolean fresh)
    {
        this.directory = directory;
        this.checkpointDirectory = checkpointDirectory;
        this.existed = existed;
        this.fresh = fresh;
        this.lockExisted = Files.exists(directory.resolve(RecoveryProcedure.LOCK_FILE));
        this.checkpointsExisted = Files.exists(checkpointDirectory);
    }

    /**
     * Look at the directory before anything is opened.
     *
     * @throws RecoveryException if it holds entries and none of them is Engram's: another program's directory.
     */
    static StateDirectory inspect(final StateContext ctx)
    {
        final Path directory = ctx.directory();
        if (!Files.exists(directory))
        {
            return new StateDirectory(directory, ctx.checkpointDirectory(), false, true);
        }
        if (!Files.isDirectory(directory))
        {
            throw new RecoveryException("state directory=" + directory + " is a file, not a directory: open a directory " +
                "(new or empty for a new store)");
        }
        final List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory))
        {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        catch (final IOException ex)
        {
            throw new RecoveryException("cannot list state directory=" + directory + ": " + ex.getMessage(), ex);
        }
        if (!names.isEmpty() && names.stream().noneMatch(StateDirectory::isOwn))
        {
            names.sort(null);
            throw new RecoveryException("state directory=" + directory + " is not an Engram store: it holds " + names.size() +
                " entries and none of Engram's (journal/, checkpoints/, " + RecoveryProcedure.LOCK_FILE + ", ...), e.g. " +
                names.subList(0, Math.min(5, names.size())) + "; nothing was written: open a new or empty directory, or " +
                "the directory of an existing store");
        }
        return new StateDirectory(directory, ctx.checkpointDirectory(), true, names.isEmpty());
    }

    private static boolean isOwn(final String name)
    {
        for (final String own : OWN)
        {
            if (name.equals(own) || name.startsWith(own + "."))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if the directory was absent or empty: a new store, not a recovery.
     */
    boolean isNew()
    {
        return fresh;
    }

    /**
     * Put the directory back as it was after a failed open (the lock is already released). Best effort: what
     * cannot be removed is added to {@code failure} as suppressed.
     */
    void restoreAfterFailedOpen(final Throwable failure)
    {
        try
        {
            if (fresh)
            {
                deleteContents(directory);
                if (!existed)
                {
                    Files.deleteIfExists(directory);
                }
                return;
            }
            if (!lockExisted)
            {
                Files.deleteIfExists(directory.resolve(RecoveryProcedure.LOCK_FILE));
            }
            if (!checkpointsExisted && Files.isDirectory(checkpointDirectory))
            {
                try (Stream<Path> entries = Files.list(checkpointDirectory))
                {
                    if (entries.findAny().isEmpty())
                    {
                        Files.deleteIfExists(checkpointDirectory);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    private static void deleteContents(final Path root) throws IOException
    {
        if (!Files.isDirectory(root))
        {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
            {
                if (!dir.equals(root))
                {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
