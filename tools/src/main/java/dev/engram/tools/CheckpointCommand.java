package dev.engram.tools;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.recovery.CheckpointInfo;
import picocli.CommandLine.Command;

import java.util.Locale;

/**
 * {@code engram checkpoint DIR}: open the store, write a checkpoint at the written version, close. Writes.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = "Open the store (it must not be open elsewhere), write a checkpoint at the written version " +
        "(full or delta, as the engine decides), close cleanly. Changes the store.")
final class CheckpointCommand extends WritingCommand
{
    @Override
    int run()
    {
        try (Engram engram = open(new EngramContext()))
        {
            final CheckpointInfo info = engram.checkpoint();
            out().println(String.format(Locale.ROOT, "checkpoint %s: %s, version %d, %,d entries, %d blocks, %,d bytes (%s, %.2fx)",
                info.path().getFileName(), info.isDelta() ? "delta #" + info.chainOrdinal() + " on " + info.parentId() : "full",
                info.stateVersion(), info.entryCount(), info.blockCount(), info.fileLength(),
                info.compression().toString().toLowerCase(Locale.ROOT), info.compressionRatio()));
        }
        out().println("closed cleanly");
        out().flush();
        return EngramCli.OK;
    }
}
