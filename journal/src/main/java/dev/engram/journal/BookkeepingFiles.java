package dev.engram.journal;

import java.nio.file.Path;

/**
 * The journal's own bookkeeping files as an open found them: its manifest and the manifest's reserve. Put back by
 * {@link Journal#closeRefusedOpen(Throwable)} when the caller refuses the journal and its open wrote no frame, so a
 * refused open leaves the directory as it found it (Chronicle's {@code metadata.cq4t} is put back from the copy
 * {@link ChronicleJournalStore} keeps as it opens).
 */
final class BookkeepingFiles
{
    private final SmallFileCopy manifest;
    private final SmallFileCopy reserve;

    BookkeepingFiles(final Path directory)
    {
        this.manifest = new SmallFileCopy(directory.resolve(JournalManifestDescriptor.FILE_NAME));
        this.reserve = new SmallFileCopy(directory.resolve(JournalManifest.RESERVE_FILE_NAME));
    }

    /**
     * Put every file back as it was; failures are added to {@code failure} as suppressed.
     */
    void restore(final Throwable failure)
    {
        manifest.restore(failure);
        reserve.restore(failure);
    }
}
