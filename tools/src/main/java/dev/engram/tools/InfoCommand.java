package dev.engram.tools;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.DiskUsage;
import dev.engram.recovery.HistoryRange;
import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;

/**
 * {@code engram info DIR}: what a state directory holds, read-only.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "What a state directory holds: files, versions written/synced, checkpoints, chains, sizes, " +
        "compression, history window, disk use. Read-only.")
final class InfoCommand extends StoreCommand
{
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--progress", description = "progress on stderr while the journal is read (default: when stderr is a terminal)")
    boolean progress;

    @Override
    int run(final ReadOnlyState state) throws IOException
    {
        final ReadOnlyState.Progress line = ProgressLine.on(err(), progress);
        final ReadOnlyState.JournalSummary journal = state.journal(line);
        ProgressLine.finish(line);
        final List<ReadOnlyState.CheckpointFile> checkpoints = state.checkpoints();
        final List<ReadOnlyState.Chain> chains = state.chains();
        final HistoryRange range = state.historyRange();
        SortedMap<String, Long> tags;
        String tagProblem = null;
        try
        {
            tags = state.tags();
        }
        catch (final RuntimeException ex)
        {
            tags = new java.util.TreeMap<>();
            tagProblem = ex.getMessage();
        }
        final DiskUsage disk = diskUse(state.directory(), checkpoints, chains);
        if (json)
        {
            printJson(state, journal, checkpoints, chains, range, tags, tagProblem, disk);
        }
        else
        {
            printText(state, journal, checkpoints, chains, range, tags, tagProblem, disk);
        }
        return EngramCli.OK;
    }

    private void printText(final ReadOnlyState state, final ReadOnlyState.JournalSummary journal,
        final List<ReadOnlyState.CheckpointFile> checkpoints, final List<ReadOnlyState.Chain> chains, final HistoryRange range,
        final SortedMap<String, Long> tags, final String tagProblem, final DiskUsage disk)
    {
        final PrintWriter out = out();
        out.println("state directory  " + state.directory());
        out.println("  closed cleanly " + (state.closedCleanly() ?
            "yes (clean-shutdown record: last written version " + journal.cleanShutdownVersion() + ")" :
            "no (open now, or left by a crash: the next open recovers)"));
        out.println("journal          " + state.directory().resolve("journal") + " (roll cycle " + journal.rollCycle() + ")");
        if (journal.frames() == 0)
        {
            out.println("  versions       none");
        }
        else
        {
            out.println("  versions       " + journal.firstVersion() + ".." + journal.lastVersion() + " (" +
                Sizes.count(journal.frames()) + " frames)");
            out.println("  time           " + Sizes.time(journal.firstTimestampNs()) + " .. " + Sizes.time(journal.lastTimestampNs()));
        }
        out.println("  written        " + journal.lastVersion());
        out.println("  synced         at least " + journal.syncedAtLeast() + " (" + journal.syncedSource() + ")");
        out.println("  cycle files    " + journal.cycles().size());
        for (final ReadOnlyState.CycleFile cycle : journal.cycles())
        {
            out.println("    " + cycle.file().getFileName() + "  " + (cycle.frames() == 0 ? "no frames" :
                "versions " + cycle.firstVersion() + ".." + cycle.lastVersion()) + ", " + Sizes.bytes(cycle.dataEnd()) +
                " written of " + Sizes.bytes(cycle.fileLength()));
        }
        out.println("  torn tail      " + (journal.tornTail() == null ? "none" : journal.tornTail()));
        if (journal.unfinishedWrite() != null)
        {
            out.println("  unfinished     " + journal.unfinishedWrite());
        }
        if (journal.trimFrames() > 0)
        {
            out.println("  trim frames    " + journal.trimFrames() + " (retiring " + journal.retiredFrames() + " torn frames)");
        }
        if (!journal.damage().isEmpty())
        {
            out.println("  DAMAGE         " + journal.damage().size() + " place(s): run `engram verify " + state.directory() + "`");
        }
        out.println("checkpoints      " + checkpoints.size() + " file(s)");
        for (final ReadOnlyState.CheckpointFile file : checkpoints)
        {
            final CheckpointInfo info = file.info();
            if (info == null)
            {
                out.println("  " + file.file().getFileName() + "  UNREADABLE: " + file.problem());
                continue;
            }
            out.println(String.format(Locale.ROOT, "  %s  %s  version %d  %s entries (%s tombstones)  %d blocks  %s raw, %s " +
                    "stored (%s, %.2fx)  created %s", file.file().getFileName(),
                info.isDelta() ? "delta #" + info.chainOrdinal() + " on " + info.parentId() : "full",
                info.stateVersion(), Sizes.count(info.entryCount()), Sizes.count(info.tombstoneCount()), info.blockCount(),
                Sizes.bytes(info.rawBlockBytes()), Sizes.bytes(info.storedBlockBytes()),
                info.compression().toString().toLowerCase(Locale.ROOT), info.compressionRatio(), Sizes.timeMs(info.createdEpochMs())));
        }
        out.println("chains           " + chains.size());
        for (final ReadOnlyState.Chain chain : chains)
        {
            out.println("  head " + chain.headId() + "  members " + chain.memberIds() + "  version " + chain.stateVersion() + "  " +
                Sizes.bytes(chain.bytes()) + "  " + (chain.usable() ? "complete" : "UNUSABLE: " + chain.problem()));
        }
        out.println("history window   versions " + range.oldestVersion() + ".." + range.newestVersion() +
            " (journal from version " + range.firstJournalVersion() + ")");
        out.println("tags             " + (tagProblem != null ? "UNREADABLE: " + tagProblem : tags.size() + (tags.isEmpty() ? "" :
            " (" + String.join(", ", tags.keySet()) + ")")));
        out.println("disk use         " + Sizes.bytes(disk.totalBytes()) + " (bytes holding data): journal " +
            Sizes.bytes(disk.journalBytes()) + ", checkpoints " + Sizes.bytes(disk.checkpointBytes()) + ", index maps " +
            Sizes.bytes(disk.indexMapBytes()) + ", history index " + Sizes.bytes(disk.historyIndexBytes()) +
            ", history anchors " + Sizes.bytes(disk.historyAnchorBytes()) + ", other " + Sizes.bytes(disk.otherBytes()));
        out.println("  live state     " + (disk.liveStateBytes() <= 0 ? "unknown (no full checkpoint)" :
            Sizes.bytes(disk.liveStateBytes()) + " (raw entry bytes of the newest chain's full checkpoint); disk use " +
            String.format(Locale.ROOT, "%.1f", disk.ratioToLiveState()) + " x that"));
        out.flush();
    }

    private void printJson(final ReadOnlyState state, final ReadOnlyState.JournalSummary journal,
        final List<ReadOnlyState.CheckpointFile> checkpoints, final List<ReadOnlyState.Chain> chains, final HistoryRange range,
        final SortedMap<String, Long> tags, final String tagProblem, final DiskUsage disk)
    {
        final Json json = new Json().beginObject();
        json.field("directory", state.directory().toString());
        json.field("closedCleanly", state.closedCleanly());
        json.name("journal").beginObject()
            .field("rollCycle", journal.rollCycle())
            .field("firstVersion", journal.firstVersion())
            .field("lastVersion", journal.lastVersion())
            .field("frames", journal.frames())
            .field("writtenVersion", journal.lastVersion())
            .field("syncedAtLeast", journal.syncedAtLeast())
            .field("syncedSource", journal.syncedSource())
            .field("firstTimestamp", Sizes.time(journal.firstTimestampNs()))
            .field("lastTimestamp", Sizes.time(journal.lastTimestampNs()))
            .field("cleanShutdownVersion", journal.cleanShutdownVersion())
            .field("trimFrames", journal.trimFrames())
            .field("retiredFrames", journal.retiredFrames())
            .field("tornTail", journal.tornTail() == null ? null : journal.tornTail().toString())
            .field("unfinishedWrite", journal.unfinishedWrite() == null ? null : journal.unfinishedWrite().toString())
            .field("damage", journal.damage().size());
        json.name("cycleFiles").beginArray();
        for (final ReadOnlyState.CycleFile cycle : journal.cycles())
        {
            json.beginObject().field("file", cycle.file().getFileName().toString()).field("cycle", cycle.cycle())
                .field("firstVersion", cycle.firstVersion()).field("lastVersion", cycle.lastVersion())
                .field("frames", cycle.frames()).field("writtenBytes", cycle.dataEnd()).field("fileBytes", cycle.fileLength())
                .endObject();
        }
        json.endArray().endObject();
        json.name("checkpoints").beginArray();
        for (final ReadOnlyState.CheckpointFile file : checkpoints)
        {
            json.beginObject().field("file", file.file().getFileName().toString()).field("id", file.checkpointId());
            final CheckpointInfo info = file.info();
            if (info == null)
            {
                json.field("problem", file.problem());
            }
            else
            {
                json.field("kind", info.isDelta() ? "delta" : "full").field("parentId", info.parentId())
                    .field("baseId", info.baseId()).field("chainOrdinal", info.chainOrdinal())
                    .field("stateVersion", info.stateVersion()).field("entries", info.entryCount())
                    .field("tombstones", info.tombstoneCount()).field("blocks", info.blockCount())
                    .field("fileBytes", info.fileLength()).field("rawBlockBytes", info.rawBlockBytes())
                    .field("storedBlockBytes", info.storedBlockBytes())
                    .field("compression", info.compression().toString().toLowerCase(Locale.ROOT))
                    .field("compressionRatio", info.compressionRatio()).field("merkleRoot", info.merkleRootHex())
                    .field("created", Sizes.timeMs(info.createdEpochMs()));
            }
            json.endObject();
        }
        json.endArray();
        json.name("chains").beginArray();
        for (final ReadOnlyState.Chain chain : chains)
        {
            json.beginObject().field("headId", chain.headId()).name("members").beginArray();
            chain.memberIds().forEach(json::value);
            json.endArray().field("stateVersion", chain.stateVersion()).field("bytes", chain.bytes())
                .field("usable", chain.usable()).field("problem", chain.problem()).endObject();
        }
        json.endArray();
        json.name("historyWindow").beginObject().field("oldestVersion", range.oldestVersion())
            .field("newestVersion", range.newestVersion()).field("firstJournalVersion", range.firstJournalVersion()).endObject();
        json.name("tags").beginObject();
        tags.forEach((name, version) -> json.field(name, version));
        json.endObject();
        if (tagProblem != null)
        {
            json.field("tagProblem", tagProblem);
        }
        json.name("diskUse").beginObject().field("journal", disk.journalBytes()).field("checkpoints", disk.checkpointBytes())
            .field("indexMaps", disk.indexMapBytes()).field("historyIndex", disk.historyIndexBytes())
            .field("historyAnchors", disk.historyAnchorBytes()).field("other", disk.otherBytes())
            .field("total", disk.totalBytes()).field("liveState", disk.liveStateBytes()).endObject();
        json.endObject();
        out().println(json);
        out().flush();
    }

    /**
     * What the directory takes on disk by part ({@link DiskUsage}: data bytes, holes left out), with the live state
     * estimated as the raw entry bytes of the newest usable chain's full checkpoint.
     */
    static DiskUsage diskUse(final Path directory, final List<ReadOnlyState.CheckpointFile> checkpoints,
        final List<ReadOnlyState.Chain> chains)
    {
        ReadOnlyState.Chain newest = null;
        for (final ReadOnlyState.Chain chain : chains)
        {
            if (chain.usable() && (newest == null || chain.stateVersion() > newest.stateVersion()))
            {
                newest = chain;
            }
        }
        long live = 0;
        if (newest != null && !newest.memberIds().isEmpty())
        {
            for (final ReadOnlyState.CheckpointFile file : checkpoints)
            {
                if (file.info() != null && !file.info().isDelta() && newest.memberIds().contains(file.checkpointId()))
                {
                    live = file.info().rawBlockBytes();
                }
            }
        }
        return DiskUsage.of(directory, 0, live);
    }
}
