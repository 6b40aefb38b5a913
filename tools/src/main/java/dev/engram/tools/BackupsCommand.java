package dev.engram.tools;

import dev.engram.backup.BackupInfo;
import dev.engram.backup.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code engram backups REPO}: the backups in a repository.
 */
@Command(name = "backups", mixinStandardHelpOptions = true,
    description = "List the backups in a repository, oldest first.")
final class BackupsCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        final List<BackupInfo> list = backups.list();
        if (json)
        {
            final Json out = new Json().beginObject().field("repository", backups.repositoryId()).name("backups")
                .beginArray();
            for (final BackupInfo info : list)
            {
                backup(out, info);
            }
            out().println(out.endArray().endObject());
        }
        else
        {
            out().println(list.isEmpty() ? "no backups" : "    id  created                   state version        files");
            for (final BackupInfo info : list)
            {
                out().println(line(info));
            }
        }
        out().flush();
        return EngramCli.OK;
    }
}
