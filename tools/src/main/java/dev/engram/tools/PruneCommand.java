package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.PruneResult;
import dev.engram.backup.RetentionPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code engram prune REPO --keep-last N [--keep-within D] [--keep-daily N]}: backups dropped, unreferenced packs
 * deleted.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Delete the backups no rule keeps (a backup any rule keeps stays; the newest always), then the " +
        "packs no kept backup uses. Refused while a backup or prune holds the repository's lock (backup-locks " +
        "lists the locks, backup-unlock removes them).")
final class PruneCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Option(names = "--keep-last", paramLabel = "N", description = "keep the newest N backups")
    int keepLast;

    @Option(names = "--keep-within", paramLabel = "DURATION",
        description = "keep the backups made within this long before the newest: 36h, 7d, 30m or ISO-8601 (PT36H)")
    String keepWithin;

    @Option(names = "--keep-daily", paramLabel = "N", description = "keep the newest backup of each of N days")
    int keepDaily;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        if (keepLast == 0 && keepWithin == null && keepDaily == 0)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "give at least one of --keep-last, --keep-within, --keep-daily");
        }
        final RetentionPolicy policy = new RetentionPolicy(keepLast,
            keepWithin == null ? Duration.ZERO : duration(keepWithin), keepDaily);
        final PruneResult result = backups.prune(policy);
        if (json)
        {
            final Json out = new Json().beginObject().name("deletedBackups").beginArray();
            result.deletedBackups().forEach(out::value);
            out().println(out.endArray().field("deletedPacks", result.deletedPacks())
                .field("bytesFreed", result.bytesFreed()).field("unreferencedKept", result.unreferencedKept())
                .endObject());
        }
        else
        {
            out().println("pruned " + result.deletedBackups().size() + " backup(s) " + result.deletedBackups() + ", " +
                result.deletedPacks() + " pack(s), " + Sizes.bytes(result.bytesFreed()) + " freed; " +
                Sizes.count(result.unreferencedKept()) + " unreferenced chunks stay in packs still in use");
        }
        out().flush();
        return EngramCli.OK;
    }

    /** {@code 36h}, {@code 7d}, {@code 30m}, {@code 90s} or ISO-8601 ({@code PT36H}). */
    static Duration duration(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p"))
        {
            return Duration.parse(text.trim());
        }
        final long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1))
        {
            case 'd' -> Duration.ofDays(n);
            case 'h' -> Duration.ofHours(n);
            case 'm' -> Duration.ofMinutes(n);
            case 's' -> Duration.ofSeconds(n);
            default -> throw new IllegalArgumentException("not a duration (36h, 7d, 30m, 90s, PT36H): " + text);
        };
    }
}
