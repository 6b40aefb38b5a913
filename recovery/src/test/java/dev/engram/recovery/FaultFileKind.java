package dev.engram.recovery;

import dev.engram.recovery.internal.history.TagFileDescriptor;
import dev.engram.recovery.internal.procedure.CleanShutdownRecord;
import dev.engram.recovery.internal.procedure.RecoveryProcedure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The kinds of file in a state directory the fault-injection suite damages (docs/recovery.md, docs/journal.md), and
 * which file of a kind a case picks.
 */
enum FaultFileKind
{
    /** The newest checkpoint: the head of the chain recovery uses. */
    CHECKPOINT_HEAD("checkpoints", name -> name.endsWith(".ckp"), Pick.NEWEST),
    /** The checkpoint below the head: the full base of the newest chain. */
    CHECKPOINT_BASE("checkpoints", name -> name.endsWith(".ckp"), Pick.SECOND_NEWEST),
    /** A checkpoint of an older chain (a fallback). */
    CHECKPOINT_OLDER("checkpoints", name -> name.endsWith(".ckp"), Pick.ANY_OLDER),
    /** The snapshot index's Chronicle Map catalog. */
    CATALOG("checkpoints", name -> name.endsWith(".cm"), Pick.NEWEST),
    /** The catalog's seal. */
    CATALOG_SEAL("checkpoints", name -> name.endsWith(".cm.seal"), Pick.NEWEST),
    /** The newest journal cycle file: the tail after the last checkpoint. */
    CYCLE_TAIL("journal", name -> name.endsWith(".cq4"), Pick.NEWEST),
    /** The cycle file before it: holds the frame the newest checkpoint's journal hint names. */
    CYCLE_HINT("journal", name -> name.endsWith(".cq4"), Pick.SECOND_NEWEST),
    /** An older cycle file, covered by checkpoints (kept for history and the fallback chains). */
    CYCLE_OLDER("journal", name -> name.endsWith(".cq4"), Pick.ANY_OLDER),
    /** Chronicle's queue metadata ({@code metadata.cq4t}). */
    QUEUE_METADATA("journal", name -> name.equals("metadata.cq4t"), Pick.NEWEST),
    /** The journal manifest ({@code engram-journal.manifest}). */
    JOURNAL_MANIFEST("journal", name -> name.equals("engram-journal.manifest"), Pick.NEWEST),
    /** The clean-shutdown record (only after a clean close). */
    CLEAN_SHUTDOWN("", name -> name.equals(CleanShutdownRecord.FILE_NAME), Pick.NEWEST),
    /** The version tags. */
    TAGS("", name -> name.equals(TagFileDescriptor.FILE_NAME), Pick.NEWEST),
    /** The lock files ({@code engram.lock}, {@code journal/engram-journal.lock}): empty, locked by the OS. */
    LOCK("", name -> name.endsWith(".lock"), Pick.ANY),
    /**
     * The journal's bridge file ({@code engram-journal.bridge}): only in the store a crash left while a background
     * open's queue was still opening ({@link FaultCase.Base#BRIDGE}). Last, so the other kinds keep their case ids.
     */
    JOURNAL_BRIDGE("journal", name -> name.equals(dev.engram.journal.JournalBridgeDescriptor.FILE_NAME), Pick.NEWEST),
    /**
     * The bridge's mark ({@code engram-journal.bridge-mark}, a copy of its header): with the bridge present it is not
     * read, so its damage changes nothing; it makes a deleted bridge a reported loss.
     */
    JOURNAL_BRIDGE_MARK("journal", name -> name.equals(dev.engram.journal.JournalBridgeDescriptor.MARK_FILE_NAME),
        Pick.NEWEST);

    private enum Pick
    {
        NEWEST, SECOND_NEWEST, ANY_OLDER, ANY
    }

    private final String subdirectory;
    private final Predicate<String> names;
    private final Pick pick;

    FaultFileKind(final String subdirectory, final Predicate<String> names, final Pick pick)
    {
        this.subdirectory = subdirectory;
        this.names = names;
        this.pick = pick;
    }

    /**
     * @return every file of this kind in the state directory, oldest first (names sort by age).
     */
    List<Path> files(final Path stateDirectory)
    {
        if (this == LOCK)
        {
            return List.of(stateDirectory.resolve(RecoveryProcedure.LOCK_FILE),
                stateDirectory.resolve("journal").resolve("engram-journal.lock")).stream().filter(Files::exists).toList();
        }
        final Path dir = subdirectory.isEmpty() ? stateDirectory : stateDirectory.resolve(subdirectory);
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (var list = Files.list(dir))
        {
            return list.filter(p -> Files.isRegularFile(p) && names.test(p.getFileName().toString())).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the file a case damages, or null when the directory has none of this kind.
     */
    Path pick(final Path stateDirectory, final Random random)
    {
        final List<Path> files = files(stateDirectory);
        return switch (pick)
        {
            case NEWEST -> files.isEmpty() ? null : files.get(files.size() - 1);
            case SECOND_NEWEST -> files.size() < 2 ? null : files.get(files.size() - 2);
            case ANY_OLDER -> files.size() < 3 ? null : files.get(random.nextInt(files.size() - 2));
            case ANY -> files.isEmpty() ? null : files.get(random.nextInt(files.size()));
        };
    }

    /** @return whether the file is a Chronicle cycle file (sparse, pre-allocated: damage goes where data was written). */
    boolean isCycleFile()
    {
        return this == CYCLE_TAIL || this == CYCLE_HINT || this == CYCLE_OLDER;
    }
}
