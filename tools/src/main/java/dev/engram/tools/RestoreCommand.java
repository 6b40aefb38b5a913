package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * {@code engram restore REPO DIR [--backup ID]}: a backup restored into a new directory.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = "Restore a backup (the newest, or --backup ID) into a new directory, every chunk verified; a " +
        "directory that exists and is not empty is refused. Engram.open on it is then ready.")
final class RestoreCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Parameters(index = "1", paramLabel = "DIR", description = "the new state directory (absent or empty)")
    Path directory;

    @Option(names = "--backup", paramLabel = "ID", description = "the backup to restore (default: the newest)")
    Long backupId;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        final RestoreResult result = backups.restore(
            backupId == null ? RestoreTarget.latest() : RestoreTarget.backup(backupId), directory);
        if (json)
        {
            final Json out = new Json().beginObject().field("directory", result.directory().toString())
                .field("files", result.files()).field("bytes", result.bytes()).name("backup");
            out().println(backup(out, result.backup()).endObject());
        }
        else
        {
            out().println("restored backup " + result.backup().id() + " (version " + result.backup().stateVersion() +
                ") into " + result.directory() + ": " + result.files() + " files, " + Sizes.bytes(result.bytes()));
        }
        out().flush();
        return EngramCli.OK;
    }
}
