package dev.engram.harness.recovery;

import dev.engram.harness.CommandLineValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command line of {@code ./engram bench recovery}; every field has a default.
 */
final class RecoveryBenchOptions
{
    static final String USAGE = """
        usage: ./engram bench recovery [options]
          --sizes 256m,1g,4g      state sizes (values of --value bytes: size/value keys user/<i>)
          --tail 1000000          PUT deltas journaled after the last checkpoint (crash tail)
          --value 1024            state value length
          --tail-value 128        tail value length
          --tail-keys 0           the tail writes only keys user/0 .. user/<N-1> (0: any key of the state)
          --reps 5                fresh-JVM recoveries measured per size (Engram)
          --peer-reps 3           fresh-JVM loads/opens per size (zstd snapshot, RocksDB)
          --only engram,snapshot,rocksdb,impact   parts to run (default: all)
          --variants 1g           size at which cold-start variants run (C1 only, AppCDS, PosixAPI no-op), or none
          --impact-size 1g        state size of the checkpoint-vs-append-latency run
          --impact-rate 200000    fixed append rate of that run (deltas/s)
          --impact-seconds 10     length of each recorded phase (plus 3 s warm-up)
          --quiet 0.25            before each measured JVM, wait until other processes use at most this many cores
          --quiet-wait 300        ... for at most this many seconds (then measure anyway; others' use is reported)
          --dir D                 where data goes (default: a new temp dir); deleted at the end unless --keep
          --report FILE           markdown report (default engram-report-recovery/recovery-<time>.md)
          --child-jvm "OPTS"      JVM options of the child JVMs (default "-XX:+UseParallelGC -Xms1g -Xmx4g", as ./engram)
          --seed 42               workload seed
          --keep                  keep the data
        """;

    List<Long> sizes = List.of(256L << 20, 1L << 30, 4L << 30);
    int tail = 1_000_000;
    int valueLength = 1024;
    int tailValueLength = 128;
    int tailKeys;
    int reps = 5;
    int peerReps = 3;
    Set<String> parts = new TreeSet<>(List.of("engram", "snapshot", "rocksdb", "impact"));
    long impactSize = 1L << 30;
    long variantsSize = 1L << 30;
    int impactRate = 200_000;
    int impactSeconds = 10;
    int impactWarmUpSeconds = 3;
    double quietCores = 0.25;
    long quietWaitSeconds = 300;
    Path dir;
    Path report;
    List<String> childJvm = List.of("-XX:+UseParallelGC", "-Xms1g", "-Xmx4g");
    long seed = 42;
    boolean keep;
    String commandLine = "";

    static RecoveryBenchOptions parse(final String[] args)
    {
        final RecoveryBenchOptions options = new RecoveryBenchOptions();
        options.commandLine = "./engram bench recovery" + (args.length == 0 ? "" : " " + String.join(" ", args));
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--sizes" -> options.sizes = parseSizes(value(args, ++i, arg));
                case "--tail" -> options.tail = Integer.parseInt(value(args, ++i, arg));
                case "--value" -> options.valueLength = Integer.parseInt(value(args, ++i, arg));
                case "--tail-value" -> options.tailValueLength = Integer.parseInt(value(args, ++i, arg));
                case "--tail-keys" -> options.tailKeys = Integer.parseInt(value(args, ++i, arg));
                case "--reps" -> options.reps = Integer.parseInt(value(args, ++i, arg));
                case "--peer-reps" -> options.peerReps = Integer.parseInt(value(args, ++i, arg));
                case "--only" -> options.parts = new TreeSet<>(Arrays.asList(value(args, ++i, arg).split(",")));
                case "--impact-size" -> options.impactSize = parseSize(value(args, ++i, arg));
                case "--variants" -> {
                    final String v = value(args, ++i, arg);
                    options.variantsSize = v.equals("none") ? -1 : parseSize(v);
                }
                case "--impact-rate" -> options.impactRate = Integer.parseInt(value(args, ++i, arg));
                case "--impact-seconds" -> options.impactSeconds = Integer.parseInt(value(args, ++i, arg));
                case "--quiet" -> options.quietCores = Double.parseDouble(value(args, ++i, arg));
                case "--quiet-wait" -> options.quietWaitSeconds = Long.parseLong(value(args, ++i, arg));
                case "--dir" -> options.dir = Path.of(value(args, ++i, arg));
                case "--report" -> options.report = Path.of(value(args, ++i, arg));
                case "--child-jvm" -> options.childJvm = List.of(value(args, ++i, arg).trim().split("\\s+"));
                case "--seed" -> options.seed = Long.parseLong(value(args, ++i, arg));
                case "--keep" -> options.keep = true;
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option: " + arg + "\n" + USAGE);
            }
        }
        for (final String part : options.parts)
        {
            if (!Set.of("engram", "snapshot", "rocksdb", "impact").contains(part))
            {
                throw new IllegalArgumentException("unknown part in --only: " + part + "\n" + USAGE);
            }
        }
        if (options.reps < 1 || options.peerReps < 1 || options.tail < 0 || options.valueLength < 1 ||
            options.tailValueLength < 1 || options.impactRate < 1 || options.impactSeconds < 1)
        {
            throw new IllegalArgumentException("reps, peer-reps, value, tail-value, impact-rate and impact-seconds must be >= 1, " +
                "tail >= 0\n" + USAGE);
        }
        return options;
    }

    private static String value(final String[] args, final int i, final String name)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    static List<Long> parseSizes(final String text)
    {
        final List<Long> sizes = new ArrayList<>();
        for (final String part : text.split(","))
        {
            sizes.add(parseSize(part));
        }
        return List.copyOf(sizes);
    }

    /** {@code 256m}, {@code 1g}, {@code 2048k}, {@code 4096} (bytes). */
    static long parseSize(final String text)
    {
        final long size = CommandLineValues.bytes("size", text);
        if (size < 1)
        {
            throw new IllegalArgumentException("size must be > 0: " + text);
        }
        return size;
    }

    static String sizeLabel(final long bytes)
    {
        if (bytes % (1L << 30) == 0)
        {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0)
        {
            return (bytes >> 20) + " MiB";
        }
        if (bytes % (1L << 10) == 0)
        {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    StateWorkload workload(final long sizeBytes)
    {
        final long keys = sizeBytes / valueLength;
        if (keys < 1 || keys > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("size/value gives " + keys + " keys: size=" + sizeBytes + " value=" + valueLength);
        }
        return new StateWorkload(seed, (int)keys, valueLength, tail, tailValueLength, tailKeys);
    }
}
