package dev.engram.journal;

import java.nio.file.Path;

/**
 * The journal's small bookkeeping files as an open found them: its manifest and the manifest's reserve, and
 * Chronicle's {@code metadata.cq4t}, which Chronicle rewrites as the queue opens. Put back by
 * {@link Journal#closeRefusedOpen(Throwable)} when the caller refuses the journal and its open wrote no frame, so a
 * refused open leaves the directory as it found it.
 */
final class BookkeepingFiles
{
    private final SmallFileCopy manifest;
    private final SmallFileCopy reserve;
    private final SmallFileCopy metadata;

    BookkeepingFiles(final Path directory)
    {
        this.manifest = new SmallFileCopy(directory.resolve(JournalManifestDescriptor.FILE_NAME));
        this.reserve = new SmallFileCopy(directory.resolve(JournalManifest.RESERVE_FILE_NAME));
        this.metadata = new SmallFileCopy(directory.resolve(ChronicleJournalStore.METADATA_FILE));
    }

    /**
     * Put every file back as it was; failures are added to {@code failure} as suppressed.
     */
    void restore(final Throwable failure)
    {
        manifest.restore(failure);
        reserve.restore(failure);
        metadata.restore(failure);
    }
}
