package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code engram restore REPO DIR [--backup ID | --version V | --at ISO-INSTANT]}: a backup, or the state at a version or
 * an instant (point-in-time), restored into a new directory.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = "Restore a backup (the newest, or --backup ID), or the state at a version (--version V) or an " +
        "instant (--at 2026-12-07T13:00:00Z) that a backup holds, into a new directory, every chunk verified; a " +
        "directory that exists and is not empty is refused. Engram.open on it is then ready at that version.")
final class RestoreCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Parameters(index = "1", paramLabel = "DIR", description = "the new state directory (absent or empty)")
    Path directory;

    @Option(names = "--backup", paramLabel = "ID", description = "the backup to restore (default: the newest)")
    Long backupId;

    @Option(names = "--version", paramLabel = "V", description = "restore the state at exactly this version")
    Long version;

    @Option(names = "--at", paramLabel = "ISO-INSTANT",
        description = "restore the state at the last version stamped at or before this instant (ISO-8601, e.g. " +
            "2026-12-07T13:00:00Z)")
    String at;

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
        if ((backupId != null ? 1 : 0) + (version != null ? 1 : 0) + (at != null ? 1 : 0) > 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "give one of --backup, --version and --at");
        }
        final RestoreTarget target;
        if (version != null)
        {
            target = RestoreTarget.version(version);
        }
        else if (at != null)
        {
            try
            {
                target = RestoreTarget.at(Instant.parse(at));
            }
            catch (final DateTimeParseException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--at " + at + " is not an ISO-8601 " +
                    "instant (e.g. 2026-12-07T13:00:00Z): " + ex.getMessage());
            }
        }
        else
        {
            target = backupId == null ? RestoreTarget.latest() : RestoreTarget.backup(backupId);
        }
        final BackupProgressLine line = BackupProgressLine.on(err(), progress);
        final RestoreResult result;
        try
        {
            result = backups.restore(target, directory, line);
        }
        finally
        {
            line.end();
        }
        if (json)
        {
            final Json out = new Json().beginObject().field("directory", result.directory().toString())
                .field("files", result.files()).field("bytes", result.bytes())
                .field("stateVersion", result.stateVersion()).name("backup");
            out().println(line.totals(backup(out, result.backup())).endObject());
        }
        else
        {
            out().println("restored backup " + result.backup().id() + " (version " + result.backup().stateVersion() +
                ") into " + result.directory() + ": " + result.files() + " files, " + Sizes.bytes(result.bytes()) +
                (result.stateVersion() == result.backup().stateVersion() ? "" :
                "; its journal ends at version " + result.stateVersion() + ", the state it opens at"));
        }
        out().flush();
        return EngramCli.OK;
    }
}
