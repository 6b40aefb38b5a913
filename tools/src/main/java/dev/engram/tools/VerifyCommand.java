package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StoreFinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code engram verify DIR}: every check the files carry, read-only. Exit 0 no damage, 1 damage (each named: file,
 * offset, what), 2 could not run.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check every journal frame's CRC and the versions, every checkpoint's header, footer, block table, " +
        "block CRCs, entries, index and Merkle root, the index maps' seals and the tag file. Read-only. " +
        "Exit 0: no damage; 1: damage found (file, offset, what); 2: could not run.")
final class VerifyCommand extends StoreCommand
{
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--progress", description = "progress on stderr (default: when stderr is a terminal)")
    boolean progress;

    @Override
    int run(final ReadOnlyState state)
    {
        final ReadOnlyState.Progress line = ProgressLine.on(err(), progress);
        final ReadOnlyState.VerifyReport report = state.verify(line);
        ProgressLine.finish(line);
        if (json)
        {
            final Json out = new Json().beginObject()
                .field("directory", state.directory().toString())
                .field("ok", report.clean())
                .field("journalFrames", report.journalFrames())
                .field("journalBytes", report.journalBytes())
                .field("checkpointFiles", report.checkpointFiles())
                .field("blocksChecked", report.blocksChecked())
                .field("checkpointBytes", report.checkpointBytes())
                .field("indexMaps", report.indexMaps());
            findings(out.name("damage"), report.damage());
            findings(out.name("notes"), report.notes());
            out().println(out.endObject());
        }
        else
        {
            final PrintWriter out = out();
            out.println("verify " + state.directory());
            out.println("  journal      " + Sizes.count(report.journalFrames()) + " frames, " +
                Sizes.bytes(report.journalBytes()) + " checked");
            out.println("  checkpoints  " + report.checkpointFiles() + " file(s), " + Sizes.count(report.blocksChecked()) +
                " blocks, " + Sizes.bytes(report.checkpointBytes()) + " checked");
            out.println("  index maps   " + report.indexMaps() + " checked against their seals");
            for (final StoreFinding note : report.notes())
            {
                out.println("  note         " + note);
            }
            for (final StoreFinding damage : report.damage())
            {
                out.println("  DAMAGE       " + damage);
            }
            if (report.clean())
            {
                out.println("OK: no damage found");
            }
            else
            {
                out.println("DAMAGE: " + report.damage().size() + " place(s). A damaged checkpoint is rebuilt by the next " +
                    "open from an older chain or the journal (docs/recovery.md); damage inside the journal stops every " +
                    "replay that crosses it (docs/journal.md): if it lies after the newest usable checkpoint, restore " +
                    "the directory from a copy.");
            }
        }
        out().flush();
        return report.clean() ? EngramCli.OK : EngramCli.DAMAGE;
    }

    private static void findings(final Json json, final List<StoreFinding> findings)
    {
        json.beginArray();
        for (final StoreFinding finding : findings)
        {
            json.beginObject().field("file", finding.file().toString()).field("offset", finding.offset())
                .field("what", finding.what()).endObject();
        }
        json.endArray();
    }
}
