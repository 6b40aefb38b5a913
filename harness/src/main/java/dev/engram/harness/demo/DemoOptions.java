package dev.engram.harness.demo;

import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.journal.SyncPolicy;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./engram demo} runs. Flags take their value after a space or an {@code =}.
 *
 * @param rate                  target steps per second of the worker (one delta per step); 0: as fast as it can.
 * @param seconds               how long the main run writes before it is killed.
 * @param sizes                 the example world's sizes.
 * @param stateRoot             where the state directories go, or null for a temp directory deleted after a
 *                              verified run.
 * @param reportDir             the report folder.
 * @param seed                  the workload's seed.
 * @param checkpointEveryFrames background checkpoint after this many deltas.
 * @param syncPolicy            the journal's durability policy.
 * @param compress              zstd-compress checkpoint blocks.
 * @param sizeSeries            also measure recovery at 1/4, 1/2 and 1 × the state size.
 * @param childJvmFlags         extra JVM flags for the worker and recoverer JVMs (after the demo's own).
 */
public record DemoOptions(
    long rate,
    int seconds,
    Sizes sizes,
    Path stateRoot,
    Path reportDir,
    long seed,
    long checkpointEveryFrames,
    SyncPolicy syncPolicy,
    boolean compress,
    boolean sizeSeries,
    List<String> childJvmFlags)
{
    /** Default target rate, steps (deltas) per second: see README "./engram demo" for why. */
    public static final long RATE_DEFAULT = 20_000;
    /** Default duration of the main run, seconds. */
    public static final int SECONDS_DEFAULT = 20;
    /** Default checkpoint trigger: bounds the replay after a kill to 50 k frames; every 2.5 s at the default rate. */
    public static final long CHECKPOINT_EVERY_FRAMES_DEFAULT = 50_000;

    static final String USAGE = """
        usage: ./engram demo [--rate R] [--seconds S] [--populations N --population-bytes B[KiB|MiB] --users U]
                             [--steps-per-cycle N] [--dir D] [--out REPORT_DIR] [--seed N]
                             [--checkpoint-every-frames N] [--sync async|periodic|always] [--no-compress]
                             [--no-size-series] [--jvm-flags "FLAGS"]
          --rate R                   target steps/s, one delta each (default 20000; 0 = as fast as possible)
          --seconds S                how long the worker writes before it is kill -9'd (default 20)
          --populations N ...        world size (default 64 populations x 1 MiB of weights, 10000 users)
          --dir D                    keep the state directories under D (default: a temp dir, removed if verified)
          --out REPORT_DIR           report folder (default engram-report-<timestamp>)
          --checkpoint-every-frames  background checkpoint trigger (default 50000)
          --no-size-series           skip the recovery-time-vs-state-size runs (1/4, 1/2, 1 x the state)
          --jvm-flags "FLAGS"        extra flags for the worker and recoverer JVMs (they run -XX:+UseParallelGC)
        """;

    public DemoOptions
    {
        childJvmFlags = childJvmFlags == null ? List.of() : List.copyOf(childJvmFlags);
        if (rate < 0 || seconds < 1 || checkpointEveryFrames < 1 || sizes == null || reportDir == null || syncPolicy == null)
        {
            throw new IllegalArgumentException("rate=" + rate + " seconds=" + seconds + " checkpointEveryFrames=" +
                checkpointEveryFrames + " sizes=" + sizes + " reportDir=" + reportDir + " syncPolicy=" + syncPolicy +
                ": need rate >= 0, seconds >= 1, checkpointEveryFrames >= 1, sizes, reportDir and syncPolicy set");
        }
    }

    /**
     * @param args the demo's command-line arguments.
     * @return the options, each absent one at its default.
     * @throws IllegalArgumentException naming an unknown flag or a bad value.
     */
    public static DemoOptions parse(final String... args)
    {
        long rate = RATE_DEFAULT;
        int seconds = SECONDS_DEFAULT;
        Path stateRoot = null;
        Path reportDir = null;
        long seed = System.nanoTime() & 0xFFFF_FFFFL;
        long checkpointEveryFrames = CHECKPOINT_EVERY_FRAMES_DEFAULT;
        SyncPolicy syncPolicy = SyncPolicy.PERIODIC;
        boolean compress = true;
        boolean sizeSeries = true;
        final List<String> sizeFlags = new ArrayList<>();
        final List<String> childJvmFlags = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int eq = arg.indexOf('=');
            final String name = eq < 0 ? arg : arg.substring(0, eq);
            if (name.equals("--no-compress") || name.equals("--no-size-series"))
            {
                compress &= !name.equals("--no-compress");
                sizeSeries &= !name.equals("--no-size-series");
                continue;
            }
            final String value;
            if (eq >= 0)
            {
                value = arg.substring(eq + 1);
            }
            else if (i + 1 < args.length)
            {
                value = args[++i];
            }
            else
            {
                throw new IllegalArgumentException("flag=" + name + " needs a value\n" + USAGE);
            }
            switch (name)
            {
                case "--rate" -> rate = number(name, value);
                case "--seconds" -> seconds = (int)number(name, value);
                case "--dir" -> stateRoot = Path.of(value);
                case "--out" -> reportDir = Path.of(value);
                case "--seed" -> seed = number(name, value);
                case "--checkpoint-every-frames" -> checkpointEveryFrames = number(name, value);
                case "--sync" -> syncPolicy = syncPolicy(value);
                case "--jvm-flags" -> childJvmFlags.addAll(List.of(value.trim().split("\\s+")));
                case "--populations", "--population-bytes", "--users", "--steps-per-cycle" -> sizeFlags.add(name + "=" + value);
                default -> throw new IllegalArgumentException("unknown flag=" + arg + "\n" + USAGE);
            }
        }
        if (reportDir == null)
        {
            reportDir = Path.of("engram-report-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        return new DemoOptions(rate, seconds, Sizes.parse(sizeFlags.toArray(String[]::new)), stateRoot, reportDir, seed,
            checkpointEveryFrames, syncPolicy, compress, sizeSeries, childJvmFlags);
    }

    /**
     * @param divisor 1, 2, 4, ...
     * @return the sizes with populations and users divided by {@code divisor} (at least 1 each), the same
     * bytes per population and cycle length.
     */
    static Sizes scaledDown(final Sizes sizes, final int divisor)
    {
        return new Sizes(Math.max(1, sizes.populations() / divisor), sizes.populationBytes(),
            Math.max(1, sizes.users() / divisor), sizes.stepsPerCycle());
    }

    /** @return the approximate state size in bytes: weights plus about 1 KiB per user. */
    static long estimatedStateBytes(final Sizes sizes)
    {
        return (long)sizes.populations() * sizes.populationBytes() + sizes.users() * 1024L;
    }

    private static long number(final String flag, final String value)
    {
        try
        {
            return Long.parseLong(value.trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("flag=" + flag + " needs a whole number, got value=" + value, ex);
        }
    }

    private static SyncPolicy syncPolicy(final String value)
    {
        try
        {
            return SyncPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--sync=" + value + ": use async, periodic or always", ex);
        }
    }
}
