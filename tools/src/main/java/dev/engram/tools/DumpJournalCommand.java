package dev.engram.tools;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.OpType;
import dev.engram.recovery.ReadOnlyState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code engram dump-journal DIR [--from v] [--to v] [--json]}: the journal's frames as text or JSON lines, read-only.
 * The frames are Engram's own format (docs/journal.md), not Chronicle Wire: Chronicle's {@code ChronicleReaderMain}
 * cannot decode them.
 */
@Command(name = "dump-journal", mixinStandardHelpOptions = true,
    description = {"The journal's frames (version, time, ops with keys and values) as text or JSON lines. Read-only.",
        "The frames are Engram's own binary format, not Chronicle Wire: Chronicle's ChronicleReaderMain cannot decode them."})
final class DumpJournalCommand extends StoreCommand
{
    @Option(names = "--from", paramLabel = "VERSION", description = "first version (default: the first the journal holds)")
    long from = 1;

    @Option(names = "--to", paramLabel = "VERSION", description = "last version (default: the last)")
    long to = Long.MAX_VALUE;

    @Option(names = "--json", description = "one JSON object per frame (JSON lines)")
    boolean json;

    @Option(names = "--value-bytes", paramLabel = "N", description = "show at most N bytes of each value (default 64)")
    int valueBytes = 64;

    @Override
    int run(final ReadOnlyState state)
    {
        if (from < 1 || to < from)
        {
            throw new IllegalArgumentException("bad range: --from " + from + " --to " + to);
        }
        final PrintWriter out = out();
        final long[] frames = {0};
        state.frames(from, to, frame ->
        {
            frames[0]++;
            if (json)
            {
                out.println(json(frame));
            }
            else
            {
                text(out, frame);
            }
        });
        if (!json)
        {
            out.println(frames[0] + " frame(s)");
        }
        out.flush();
        return EngramCli.OK;
    }

    private void text(final PrintWriter out, final DeltaFrame frame)
    {
        out.println("version " + frame.version() + "  " + Sizes.time(frame.timestampEpochNs()) + "  " + frame.opCount() +
            " op(s)" + ((frame.flags() & 0x01) != 0 ? "  ABORTED" : "") + "  cycle " + frame.cycle() + " position " +
            frame.filePosition() + "  " + frame.frameLength() + " bytes");
        while (frame.nextOp())
        {
            final OpType op = frame.opType();
            final StringBuilder line = new StringBuilder("  ").append(op).append(' ').append(frame.key());
            if (op == OpType.PATCH)
            {
                line.append(" @").append(frame.patchOffset());
            }
            if (op != OpType.DELETE)
            {
                line.append(" (").append(frame.dataLength()).append(" bytes) ").append(Values.preview(data(frame), valueBytes));
            }
            out.println(line);
        }
    }

    private String json(final DeltaFrame frame)
    {
        final Json json = new Json().beginObject()
            .field("version", frame.version())
            .field("timestamp", Sizes.time(frame.timestampEpochNs()))
            .field("timestampEpochNs", frame.timestampEpochNs())
            .field("aborted", (frame.flags() & 0x01) != 0)
            .field("cycle", frame.cycle())
            .field("position", frame.filePosition())
            .field("length", frame.frameLength());
        json.name("ops").beginArray();
        while (frame.nextOp())
        {
            final OpType op = frame.opType();
            json.beginObject().field("op", op.toString()).field("key", frame.key());
            if (op == OpType.PATCH)
            {
                json.field("offset", frame.patchOffset());
            }
            if (op != OpType.DELETE)
            {
                final byte[] data = data(frame);
                final String text = Values.text(data);
                json.field("length", frame.dataLength());
                if (text != null && data.length <= valueBytes)
                {
                    json.field("text", text);
                }
                else
                {
                    json.field("hex", Values.hex(data, valueBytes));
                }
            }
            json.endObject();
        }
        return json.endArray().endObject().toString();
    }

    private byte[] data(final DeltaFrame frame)
    {
        final byte[] data = new byte[Math.min(frame.dataLength(), Math.max(valueBytes, 0) + 1)];
        frame.buffer().getBytes(frame.dataOffset(), data);
        return data;
    }
}
