package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.RepositoryLockInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code engram backup-unlock REPO [--stale-only]}: removes the repository's lock objects and prints them
 * (docs/backup.md, "Repository lock").
 */
@Command(name = "backup-unlock", mixinStandardHelpOptions = true,
    description = "Remove the locks of a backup repository and print what was removed. Without --stale-only every " +
        "lock goes, live or not: only when no backup or prune runs (a holder on another host that is gone). " +
        "With --stale-only only locks whose lease ended or whose holder on this host no longer runs (safe at any " +
        "time).")
final class BackupUnlockCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Option(names = "--stale-only", description = "remove only stale locks; live and unreadable ones stay")
    boolean staleOnly;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        final List<RepositoryLockInfo> removed = backups.unlock(staleOnly);
        if (json)
        {
            out().println(BackupLocksCommand.locks(new Json().beginObject(), "removed", removed).endObject());
        }
        else
        {
            out().println("removed " + removed.size() + (staleOnly ? " stale" : "") + " lock(s)" +
                (removed.isEmpty() ? "" : ":"));
            for (final RepositoryLockInfo lock : removed)
            {
                out().println(BackupLocksCommand.line(lock));
            }
        }
        out().flush();
        return EngramCli.OK;
    }
}
