package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the journal's cycle files on disk with its manifest ({@link JournalManifest}) without opening the
 * Chronicle queue or changing anything: a listed cycle file that is missing, holds no complete frame, or whose first
 * frame is not the version the manifest records (emptied, or swapped with another cycle's file) is a
 * {@link JournalLoss}; so is a journal that ends before a version recorded as written ({@link #withEnd}). A torn
 * tail after a crash is not a loss: the manifest lists a cycle only once its first frame was forced to disk, and
 * records a last version only for frames forced before it was written. A journal without a manifest (written
 * before there was one) has nothing to compare: no loss.
 */
public final class JournalLossCheck
{
    private final Path directory;
    private final CycleFiles files;
    private final JournalManifest manifest;
    private final boolean manifestDamaged;
    private final List<JournalLoss> losses;

    private JournalLossCheck(final Path directory, final CycleFiles files, final JournalManifest manifest,
        final boolean manifestDamaged, final List<JournalLoss> losses)
    {
        this.directory = directory;
        this.files = files;
        this.manifest = manifest;
        this.manifestDamaged = manifestDamaged;
        this.losses = List.copyOf(losses);
    }

    /**
     * Read the manifest and check every cycle file it lists.
     *
     * @param ctx the journal's context (directory, roll cycle).
     * @return what was found.
     * @throws JournalException if the manifest was written with another roll cycle (its cycles name other files), or
     *                          the directory holds {@code *.cq4} files that are not this roll cycle's (named).
     */
    public static JournalLossCheck inspect(final JournalContext ctx)
    {
        final Path directory = ctx.directory();
        final CycleFiles files = new CycleFiles(directory, ctx.rollCycle());
        final JournalManifest manifest;
        try
        {
            manifest = JournalManifest.read(directory);
        }
        catch (final JournalManifestException ex)
        {
            ForeignCycleFiles.refuse(ctx);
            return new JournalLossCheck(directory, files, null, true,
                List.of(new JournalLoss(ex.file(), -1, -1, "is damaged (" + ex.getMessage() +
                    "): which cycle files the journal wrote is unknown")));
        }
        if (manifest == null)
        {
            ForeignCycleFiles.refuse(ctx);   // another roll cycle's files, or a foreign *.cq4: refused before anything changes
            return new JournalLossCheck(directory, files, null, false, List.of());
        }
        final long lengthMs = ctx.rollCycle().lengthInMillis();
        if (manifest.rollCycleLengthMs() != lengthMs)
        {
            throw new JournalException("the journal in " + directory + " was written with a roll cycle of " +
                manifest.rollCycleLengthMs() + " ms per cycle (" + directory.resolve(JournalManifestDescriptor.FILE_NAME) +
                ") but is opened with rollCycle=" + ctx.rollCycle() + " (" + lengthMs + " ms): its cycle files would not be " +
                "found; open it with the roll cycle it was written with");
        }
        ForeignCycleFiles.refuse(ctx);
        final CycleFileProbe probe = new CycleFileProbe();
        final List<JournalLoss> losses = new ArrayList<>();
        final List<JournalManifest.Entry> entries = manifest.entries();
        for (int i = 0; i < entries.size(); i++)
        {
            final JournalManifest.Entry entry = entries.get(i);
            final File file = files.fileFor(entry.cycle());
            final CycleFileProbe.Result found = probe.probe(file);
            final long to = manifest.knownLastVersion(i) > 0 ? manifest.knownLastVersion(i) : -1;
            // a cut file: Chronicle fails on it naming nothing (and, writing, extends it); a file of a length
            // Chronicle gives its cycle files (every one it has not shrunk) is taken as whole without reading it
            final String cut = found.length() > 0 ? probe.cutShort(file, ctx.chronicleBlockSize()) : null;
            if (!found.hasFrame())
            {
                losses.add(new JournalLoss(file.toString(), entry.firstVersion(), to, found.state()));
            }
            else if (cut != null)
            {
                losses.add(new JournalLoss(file.toString(), entry.firstVersion(), to, cut + " (Chronicle cannot open " +
                    "a cut cycle file, so none of its versions can be used)"));
            }
            else if (found.firstVersion() != entry.firstVersion())
            {
                losses.add(new JournalLoss(file.toString(), entry.firstVersion(), to, "starts at version=" +
                    found.firstVersion() + ", not at version=" + entry.firstVersion() + " as the manifest records " +
                    "(replaced by a copy of another cycle's file?)"));
            }
        }
        return new JournalLossCheck(directory, files, manifest, false, losses);
    }

    /**
     * @return the manifest read, or null if there is none or it is damaged.
     */
    public JournalManifest manifest()
    {
        return manifest;
    }

    /**
     * @return true if a manifest exists but could not be read (then it is one of the {@link #losses()}).
     */
    public boolean manifestDamaged()
    {
        return manifestDamaged;
    }

    /**
     * @return listed cycle files that are missing, hold no frame or hold other versions (and a damaged manifest).
     */
    public List<JournalLoss> losses()
    {
        return losses;
    }

    /**
     * @return the journal directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * {@link #losses()}, plus the versions after the journal's end that were recorded as written (merged into a loss
     * already found that covers them, e.g. the newest cycle file deleted).
     *
     * @param lastVersion  the journal's last complete version, as found on disk.
     * @param recordedLast a last written version recorded elsewhere (a clean-shutdown record), or 0.
     * @param recordedBy   where {@code recordedLast} comes from, for the message.
     * @return every loss, ascending by first version.
     */
    public List<JournalLoss> withEnd(final long lastVersion, final long recordedLast, final String recordedBy)
    {
        return withEnd(losses, lastVersion, recordedLast, recordedBy);
    }

    /**
     * As {@link #withEnd(long, long, String)}, over losses found otherwise (e.g. by the journal's own open).
     */
    public List<JournalLoss> withEnd(final List<JournalLoss> found, final long lastVersion, final long recordedLast,
        final String recordedBy)
    {
        final long manifestLast = manifest == null ? 0 : manifest.recordedLastVersion();
        final long expected = Math.max(manifestLast, recordedLast);
        final List<JournalLoss> all = new ArrayList<>(found);
        all.sort(Comparator.comparingLong(JournalLoss::fromVersion));
        long cursor = lastVersion + 1;
        while (cursor <= expected)
        {
            JournalLoss covering = null;
            for (final JournalLoss loss : all)
            {
                if (loss.fromVersion() >= 0 && loss.fromVersion() <= cursor && (loss.toVersion() < 0 || loss.toVersion() >= cursor))
                {
                    covering = loss;
                    break;
                }
            }
            if (covering == null)
            {
                all.add(new JournalLoss(fileHolding(cursor), cursor, expected, "ends at version=" + (cursor - 1) +
                    " but version=" + expected + " was written (recorded in " + (expected == manifestLast ?
                    directory.resolve(JournalManifestDescriptor.FILE_NAME).toString() : recordedBy) + ")"));
                break;
            }
            if (covering.toVersion() < 0)
            {
                all.set(all.indexOf(covering), covering.withToVersion(expected));
                break;
            }
            cursor = covering.toVersion() + 1;
        }
        all.sort(Comparator.comparingLong(JournalLoss::fromVersion));
        return List.copyOf(all);
    }

    /**
     * @return the cycle file that should hold {@code version}: the manifest's entry starting at or before it, else
     *         the newest cycle file on disk, else the directory.
     */
    private String fileHolding(final long version)
    {
        if (manifest != null)
        {
            JournalManifest.Entry holder = null;
            for (final JournalManifest.Entry entry : manifest.entries())
            {
                if (entry.firstVersion() <= version)
                {
                    holder = entry;
                }
            }
            if (holder != null)
            {
                return files.fileFor(holder.cycle()).toString();
            }
        }
        final TreeMap<Integer, File> onDisk = files.list();
        final Map.Entry<Integer, File> newest = onDisk.lastEntry();
        return newest == null ? directory.toString() : newest.getValue().toString();
    }
}
