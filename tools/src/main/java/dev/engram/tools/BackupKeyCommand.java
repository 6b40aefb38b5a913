package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.RepositoryKey;
import dev.engram.backup.RepositoryKeyInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * {@code engram backup-key list|add|remove REPO}: the keys of an encrypted repository (docs/backup.md, "Key
 * rotation"). Each command opens the repository with its current key ({@code --password-file}, {@code --key-file}).
 */
@Command(name = "backup-key", mixinStandardHelpOptions = true,
    description = "The keys of an encrypted backup repository. Rotation: backup-key add with the new passphrase or " +
        "key file, then backup-key remove of the old key's id while opening with the new one.",
    subcommands = {BackupKeyCommand.ListKeys.class, BackupKeyCommand.AddKey.class, BackupKeyCommand.RemoveKey.class})
final class BackupKeyCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code backup-key list REPO}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the repository's keys.")
    static final class ListKeys extends RepositoryCommand
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
            if (json)
            {
                final Json out = new Json().beginObject().field("repository", backups.repositoryId())
                    .field("encrypted", backups.encrypted()).name("keys").beginArray();
                for (final RepositoryKeyInfo key : backups.keys())
                {
                    out.beginObject().field("id", key.id()).field("kind", key.kind())
                        .field("iterations", key.iterations()).field("created", key.created().toString())
                        .field("current", key.current()).endObject();
                }
                out().println(out.endArray().endObject());
            }
            else if (!backups.encrypted())
            {
                out().println(repo + " is not encrypted: no keys");
            }
            else
            {
                for (final RepositoryKeyInfo key : backups.keys())
                {
                    out().println((key.current() ? "* " : "  ") + key.id() + "  " + key.kind() +
                        (key.iterations() > 0 ? " (" + key.iterations() + " iterations)" : "") + "  " + key.created());
                }
            }
            out().flush();
            return EngramCli.OK;
        }
    }

    /** {@code backup-key add REPO --new-password-file FILE | --new-key-file FILE}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Add a key: the new passphrase or key file opens the repository too.")
    static final class AddKey extends RepositoryCommand
    {
        @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
        String repo;

        @Option(names = "--new-password-file", paramLabel = "FILE", description = "the new key's passphrase file")
        Path newPasswordFile;

        @Option(names = "--new-key-file", paramLabel = "FILE",
            description = "the new key file (at least 32 random bytes)")
        Path newKeyFile;

        @Override
        String repository()
        {
            return repo;
        }

        @Override
        int run(final Backups backups) throws Exception
        {
            final RepositoryKey added = key(newPasswordFile, newKeyFile, "--new-password-file", "--new-key-file",
                kdfIterations, false);
            if (added == null)
            {
                throw new IllegalArgumentException("give the new key: --new-password-file or --new-key-file");
            }
            final String id = backups.addKey(added);
            out().println(json ? new Json().beginObject().field("added", id).endObject().toString() :
                "added key " + id + " (" + added + ")");
            out().flush();
            return EngramCli.OK;
        }
    }

    /** {@code backup-key remove REPO ID}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a key: its passphrase or key file no longer opens the repository. Refused for the key " +
            "the repository is opened with and for the last key.")
    static final class RemoveKey extends RepositoryCommand
    {
        @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
        String repo;

        @Parameters(index = "1", paramLabel = "ID", description = "the key's id (backup-key list)")
        String id;

        @Override
        String repository()
        {
            return repo;
        }

        @Override
        int run(final Backups backups) throws Exception
        {
            backups.removeKey(id);
            out().println(json ? new Json().beginObject().field("removed", id).endObject().toString() :
                "removed key " + id);
            out().flush();
            return EngramCli.OK;
        }
    }
}
