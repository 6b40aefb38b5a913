package dev.engram.tools;

import dev.engram.backup.BackupResult;
import dev.engram.backup.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * {@code engram backup DIR --repo REPO}: an incremental backup of a closed state directory into a repository.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Back up a closed state directory into a backup repository (a local directory, created if " +
        "missing): only chunks the repository lacks are written. The store must not be open in a process: an open " +
        "store is backed up by the process that has it open, through the API (Backups.backup(engram), docs/backup.md).")
final class BackupCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the state directory (closed)")
    Path directory;

    @Option(names = "--repo", required = true, paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Option(names = "--progress", description = "progress on stderr: bytes, files, chunks, rate, ETA (default: when " +
        "stderr is a terminal); never on stdout")
    boolean progress;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        final BackupProgressLine line = BackupProgressLine.on(err(), progress);
        final BackupResult result;
        try
        {
            result = backups.backup(directory, line);
        }
        finally
        {
            line.end();
        }
        if (json)
        {
            final Json out = new Json().beginObject().name("backup");
            backup(out, result.backup()).field("newChunks", result.newChunks())
                .field("packsWritten", result.packsWritten()).field("bytesWritten", result.bytesWritten());
            out().println(line.totals(out).endObject());
        }
        else
        {
            out().println("backup " + result.backup().id() + " of " + directory + " at version " +
                result.backup().stateVersion() + ": " + result.backup().files() + " files, " +
                Sizes.bytes(result.backup().rawBytes()) + " raw, " + Sizes.count(result.newChunks()) + " new chunks, " +
                Sizes.bytes(result.bytesWritten()) + " written");
        }
        out().flush();
        return EngramCli.OK;
    }
}
