package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.RepositoryLockInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code engram backup-locks REPO}: the repository's lock objects, their holders and whether each is stale
 * (docs/backup.md, "Repository lock").
 */
@Command(name = "backup-locks", mixinStandardHelpOptions = true,
    description = "List the locks of a backup repository: kind (shared: backup, exclusive: prune), holder's host " +
        "and pid, when taken, the lease's end, and whether it is stale (lease ended, or its holder on this host no " +
        "longer runs) or live. Takes no lock and changes nothing.")
final class BackupLocksCommand extends RepositoryCommand
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
        final List<RepositoryLockInfo> locks = backups.locks();
        if (json)
        {
            out().println(locks(new Json().beginObject(), "locks", locks).endObject());
        }
        else if (locks.isEmpty())
        {
            out().println("no locks");
        }
        else
        {
            for (final RepositoryLockInfo lock : locks)
            {
                out().println(line(lock));
            }
        }
        out().flush();
        return EngramCli.OK;
    }

    /** {@code "name":[{key, kind, operation, host, pid, taken, leaseEnd, state, unreadable}, …]} */
    static Json locks(final Json json, final String name, final List<RepositoryLockInfo> locks)
    {
        json.name(name).beginArray();
        for (final RepositoryLockInfo lock : locks)
        {
            json.beginObject().field("key", lock.key()).field("kind", kind(lock)).field("operation", lock.operation())
                .field("host", lock.host()).field("pid", lock.pid())
                .field("taken", lock.taken() == null ? null : lock.taken().toString())
                .field("leaseEnd", lock.leaseEnd() == null ? null : lock.leaseEnd().toString())
                .field("state", state(lock)).field("unreadable", lock.unreadable()).endObject();
        }
        return json.endArray();
    }

    /** One lock on one line: state, kind, operation, holder, times, key. */
    static String line(final RepositoryLockInfo lock)
    {
        if (lock.unreadable() != null)
        {
            return String.format(java.util.Locale.ROOT, "%-10s %-9s %s: %s", state(lock), kind(lock), lock.key(),
                lock.unreadable());
        }
        return String.format(java.util.Locale.ROOT, "%-10s %-9s %-7s pid %d on host %s, taken %s, lease until %s  %s",
            state(lock), kind(lock), lock.operation(), lock.pid(), lock.host(), lock.taken(), lock.leaseEnd(),
            lock.key());
    }

    static String kind(final RepositoryLockInfo lock)
    {
        return lock.exclusive() ? "exclusive" : "shared";
    }

    /** "stale", "live", or "unreadable" (its holder is unknown: treated as live). */
    static String state(final RepositoryLockInfo lock)
    {
        return lock.unreadable() != null ? "unreadable" : lock.stale() ? "stale" : "live";
    }
}
