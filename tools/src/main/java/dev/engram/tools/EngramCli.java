package dev.engram.tools;

import dev.engram.backup.RepositoryLockedException;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.VersionUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator CLI: {@code ./engram <command> DIR ...} (or {@code java -jar tools/target/engram-tools.jar}). Read-only
 * commands ({@code info verify get history diff tags dump-journal}) never open the store: they read its files through
 * {@link ReadOnlyState} and change nothing. {@code checkpoint} and {@code migrate} open it as an application would.
 * <p>
 * Exit codes: 0 done (verify: no damage); 1 verify found damage, or {@code get} found no value; 2 could not run (bad
 * arguments, not a state directory, a version that cannot be rebuilt, any other failure).
 */
@Command(name = "engram", mixinStandardHelpOptions = true, version = "engram-tools 0.1.0",
    description = "Operator commands for an Engram state directory.",
    subcommands = {
        InfoCommand.class,
        VerifyCommand.class,
        GetCommand.class,
        HistoryCommand.class,
        DiffCommand.class,
        TagsCommand.class,
        DumpJournalCommand.class,
        CheckpointCommand.class,
        MigrateCommand.class,
        BackupCommand.class,
        RestoreCommand.class,
        BackupsCommand.class,
        VerifyBackupCommand.class,
        PruneCommand.class,
        BackupKeyCommand.class,
        BackupLocksCommand.class,
        BackupUnlockCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Read-only commands (info, verify, get, history, diff, tags, dump-journal) never change a file and take no lock.",
        "Backups (docs/backup.md): backup DIR --repo REPO, restore REPO DIR, backups REPO, verify-backup REPO, prune REPO,",
        "  backup-key list|add|remove REPO, backup-locks REPO, backup-unlock REPO [--stale-only];",
        "  an encrypted repository's key: --password-file or --key-file.",
        "Exit codes: 0 done, 1 damage found (verify, verify-backup) or no value (get), 2 could not run."
    })
public final class EngramCli implements Runnable
{
    public static final int OK = 0;
    public static final int DAMAGE = 1;
    public static final int COULD_NOT_RUN = 2;

    static
    {
        EngramSystemProperties.apply();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @return the command line, with its exit codes: picocli's usage errors are 2, and so is any exception a command
     * throws (printed as one line naming the command; the stack trace only with {@code ENGRAM_DEBUG=1}).
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new EngramCli());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println("engram " + commandLine.getCommandName() + ": " + describe(ex));
            if ("1".equals(System.getenv("ENGRAM_DEBUG")))
            {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return COULD_NOT_RUN;
        });
        return cli;
    }

    private static String describe(final Exception ex)
    {
        if (ex instanceof ReadOnlyState.NotAStoreException || ex instanceof VersionUnavailableException)
        {
            return ex.getMessage();
        }
        if (ex instanceof RepositoryLockedException)
        {
            return ex.getMessage() + "\n" + LOCK_HINT;
        }
        return ex.getMessage() == null ? ex.toString() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    /** Printed under a backup or prune the repository lock refused (docs/backup.md, "Repository lock"). */
    static final String LOCK_HINT = "  hint: `engram backup-locks REPO` lists the locks; if the holder is gone " +
        "(killed on another host), `engram backup-unlock REPO` removes the locks (only when no backup or prune " +
        "runs); `engram backup-unlock REPO --stale-only` removes only stale ones";

    public static void main(final String[] args)
    {
        final int code = commandLine().execute(args);
        System.exit(code);
    }
}
