package dev.engram.recovery;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a backup of an open store reads, held still while it reads (docs/backup.md, "Live stores"): the checkpoint
 * chain at or before {@link #version()} and the journal cycle files after it, pinned against retention as an open
 * {@link StateSnapshot} pins them, and the number of bytes of each cycle file that hold frames up to
 * {@link #version()}. Nothing is paused: producers keep appending, the checkpointer keeps checkpointing.
 * <p>
 * Which bytes are stable while the store runs:
 * <ul>
 *   <li>checkpoint files: written under a temp name, then renamed; never changed after (the chain's snapshot index
 *       maps are not listed: they are rewritten in place and rebuilt from the checkpoints by an open);</li>
 *   <li>a rolled cycle file: complete, never written again;</li>
 *   <li>the newest cycle file: its documents up to {@link JournalFile#copyLength()} (the end of the frame at
 *       {@link #version()}) are complete and never rewritten; only Chronicle's store header (its write position) and
 *       index entries inside that range change meanwhile, and a copy that ends there with zeros after it reads as
 *       a journal cut by a crash after that frame, which the open handles (Chronicle's index entries past the end
 *       are cleared, its write position moved back: docs/journal.md);</li>
 *   <li>not listed: {@code metadata.cq4t} (Chronicle's table store, written through a mapping; rebuilt from the cycle
 *       files by an open), the journal manifest (it may list a cycle after {@link #version()}'s; an open without one
 *       builds it from the cycle files), the lock files and {@code clean-shutdown} (absent while the store is open).</li>
 * </ul>
 * Close it when the copy is done (idempotent): retention may then remove the files again.
 */
public final class BackupSource implements AutoCloseable
{
    /**
     * A journal cycle file to copy.
     *
     * @param file       the cycle file.
     * @param copyLength bytes from its start to copy (its documents up to {@link #version()}).
     * @param fileLength its length when pinned: bytes from {@code copyLength} to it are copied as zeros.
     */
    public record JournalFile(Path file, long copyLength, long fileLength)
    {
    }

    private final Path directory;
    private final long version;
    private final long versionTimestampEpochNs;
    private final long chainVersion;
    private final List<Path> checkpointFiles;
    private final List<JournalFile> journalFiles;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    BackupSource(final Path directory, final long version, final long versionTimestampEpochNs, final long chainVersion,
        final List<Path> checkpointFiles, final List<JournalFile> journalFiles, final Runnable release)
    {
        this.directory = directory;
        this.version = version;
        this.versionTimestampEpochNs = versionTimestampEpochNs;
        this.chainVersion = chainVersion;
        this.checkpointFiles = List.copyOf(checkpointFiles);
        this.journalFiles = List.copyOf(journalFiles);
        this.release = release;
    }

    /**
     * @return the state directory: every path here is inside it.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the state version the copy holds: every frame up to it was written (complete in the cycle files) when
     * pinned, and synced unless the sync wait ran out; none after it is copied.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return the timestamp (epoch ns, the journal's stamp, as {@code stateAt(Instant)} compares) of the frame at
     * {@link #version()}: the time of the state the copy holds.
     */
    public long versionTimestampEpochNs()
    {
        return versionTimestampEpochNs;
    }

    /**
     * @return the state version of the pinned chain's newest checkpoint (0 without a checkpoint): the copy can
     * restore any version from it to {@link #version()}.
     */
    public long chainVersion()
    {
        return chainVersion;
    }

    /**
     * @return the pinned chain's files, base first (none before the first checkpoint).
     */
    public List<Path> checkpointFiles()
    {
        return checkpointFiles;
    }

    /**
     * @return the cycle files holding the frames after {@link #chainVersion()} up to {@link #version()}, oldest first.
     */
    public List<JournalFile> journalFiles()
    {
        return journalFiles;
    }

    /**
     * Let retention have the files again (idempotent).
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            release.run();
        }
    }
}
