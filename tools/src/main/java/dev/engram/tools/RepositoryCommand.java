package dev.engram.tools;

import dev.engram.backup.BackupInfo;
import dev.engram.backup.Backups;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What the backup commands share ({@code backup restore backups verify-backup prune}, docs/backup.md): a backup
 * repository in a local directory, {@code --json}, and how a backup is printed.
 */
abstract class RepositoryCommand implements Callable<Integer>
{
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The repository directory (created with the repository by {@code backup} if missing). */
    abstract Path repository();

    abstract int run(Backups backups) throws Exception;

    @Override
    public final Integer call() throws Exception
    {
        try (Backups backups = Backups.open(repository()))
        {
            return run(backups);
        }
    }

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    static Json backup(final Json json, final BackupInfo info)
    {
        return json.beginObject().field("id", info.id()).field("parent", info.parentId())
            .field("chainPosition", info.chainPosition()).field("stateVersion", info.stateVersion())
            .field("created", info.created().toString()).field("files", info.files())
            .field("rawBytes", info.rawBytes()).field("chunks", info.chunks())
            .field("bytesWritten", info.bytesWritten()).field("merkleRoot", info.merkleRoot()).endObject();
    }

    static String line(final BackupInfo info)
    {
        return String.format(java.util.Locale.ROOT, "%6d  %s  version %-10d %4d files %12s raw %12s written  parent %d",
            info.id(), info.created(), info.stateVersion(), info.files(), Sizes.bytes(info.rawBytes()),
            Sizes.bytes(info.bytesWritten()), info.parentId());
    }
}
