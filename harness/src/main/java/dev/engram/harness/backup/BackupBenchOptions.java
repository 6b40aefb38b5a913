package dev.engram.harness.backup;

import dev.engram.harness.CommandLineValues;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command line of {@code ./engram bench backup}; every field has a default.
 */
final class BackupBenchOptions
{
    static final String USAGE = """
        usage: ./engram bench backup [options]
          --state 1g              state size: state/value keys user/<i> of --value bytes (Engram and RocksDB alike)
          --value 1024            value length
          --change 1              percent of the keys PUT with new values before the first incremental backup
          --patch 1               percent of the keys PATCHed (--patch-bytes at an offset) before the second one
                                  (RocksDB PUTs the whole patched value); 0: no PATCH phase
          --patch-bytes 64        bytes of each PATCH
          --only engram,rocksdb,restic,tar   systems to run (Engram always runs; restic and tar + zstd are skipped
                                  with a note when their binaries are not on the PATH)
          --parallelism N         Engram's BackupSettings.parallelism (default: its default, the processors up to 4)
          --dir D                 where data goes (default: a new directory under /tmp); deleted unless --keep
          --report FILE           markdown report (default engram-report-backup/backup-<time>.md)
          --seed 42               workload seed
          --keep                  keep the data
        """;

    long stateBytes = 1L << 30;
    int valueLength = 1024;
    double changePercent = 1;
    double patchPercent = 1;
    int patchBytes = 64;
    Set<String> systems = new TreeSet<>(List.of("engram", "rocksdb", "restic", "tar"));
    int parallelism;
    Path dir;
    Path report;
    long seed = 42;
    boolean keep;
    String commandLine = "";

    static BackupBenchOptions parse(final String[] args)
    {
        final BackupBenchOptions options = new BackupBenchOptions();
        options.commandLine = "./engram bench backup" + (args.length == 0 ? "" : " " + String.join(" ", args));
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--state" -> options.stateBytes = CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--value" -> options.valueLength = CommandLineValues.intBytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--change" -> options.changePercent = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--patch" -> options.patchPercent = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--patch-bytes" -> options.patchBytes = CommandLineValues.intBytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--only" ->
                {
                    options.systems = new TreeSet<>(Arrays.asList(CommandLineValues.value(args, ++i, arg).split(",")));
                    options.systems.add("engram");
                }
                case "--parallelism" -> options.parallelism = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--dir" -> options.dir = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--report" -> options.report = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--seed" -> options.seed = Long.parseLong(CommandLineValues.value(args, ++i, arg));
                case "--keep" -> options.keep = true;
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option: " + arg + "\n" + USAGE);
            }
        }
        options.check();
        return options;
    }

    private void check()
    {
        final Set<String> unknown = new TreeSet<>(systems);
        unknown.removeAll(List.of("engram", "rocksdb", "restic", "tar"));
        if (!unknown.isEmpty())
        {
            throw new IllegalArgumentException("--only knows engram, rocksdb, restic and tar: got " + unknown);
        }
        if (valueLength < 16)
        {
            throw new IllegalArgumentException("--value must be at least 16 bytes: got " + valueLength);
        }
        if (stateBytes / valueLength < 100 || stateBytes / valueLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("--state / --value must give 100 to 2^31 keys: got " + stateBytes / valueLength);
        }
        if (!(changePercent > 0 && changePercent <= 100) || !(patchPercent >= 0 && patchPercent <= 100))
        {
            throw new IllegalArgumentException("--change must be in (0, 100] and --patch in [0, 100]: got " + changePercent +
                " and " + patchPercent);
        }
        if (patchBytes < 1 || patchBytes > valueLength)
        {
            throw new IllegalArgumentException("--patch-bytes must be 1.." + valueLength + " (--value): got " + patchBytes);
        }
        if (parallelism < 0)
        {
            throw new IllegalArgumentException("--parallelism must be >= 1: got " + parallelism);
        }
    }

    int keyCount()
    {
        return (int)(stateBytes / valueLength);
    }

    int changedKeys()
    {
        return Math.max(1, (int)Math.round(keyCount() * changePercent / 100));
    }

    int patchedKeys()
    {
        return patchPercent == 0 ? 0 : Math.max(1, (int)Math.round(keyCount() * patchPercent / 100));
    }
}
