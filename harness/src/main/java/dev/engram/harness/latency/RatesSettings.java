package dev.engram.harness.latency;

import dev.engram.harness.CommandLineValues;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What {@code ./engram bench rates} runs (see {@link RatesHarness}).
 *
 * @param rates          total appends per second, each run quiet and while checkpoints are built.
 * @param warmupSeconds  sent, not recorded, before each measured window.
 * @param seconds        measured window of each run.
 * @param rounds         times each rate's floor, quiet and during-checkpoint runs are repeated.
 * @param producers      producer threads (the rate is split among them).
 * @param stateBytes     size of the state the checkpoints rewrite (values of {@code valueLength} bytes).
 * @param valueLength    bytes per value.
 * @param maxChainLength the engine's checkpoint chain length; 1 makes every checkpoint a full rewrite.
 * @param ringSlotCount  the journal's ring slots; 0 keeps the engine's default.
 * @param baseDirectory  where the state goes; null: a new {@code /tmp/jmh-rates-*}.
 * @param keepFiles      keep the state directory afterwards.
 * @param isolateProducer pin the (single) producer thread to CPU 0 and every other thread of the JVM to the
 *                        other CPUs ({@link CpuIsolation}), as a latency-critical deployment would.
 */
public record RatesSettings(
    long[] rates,
    double warmupSeconds,
    double seconds,
    int rounds,
    int producers,
    long stateBytes,
    int valueLength,
    int maxChainLength,
    int ringSlotCount,
    Path baseDirectory,
    boolean keepFiles,
    boolean isolateProducer)
{
    /** @return the defaults: 100k, 250k, 500k and 1M/s, 1 s warm-up + 5 s each, 1 producer, 256 MiB of 1 KiB values, full checkpoints. */
    public static RatesSettings defaults()
    {
        return new RatesSettings(new long[]{100_000, 250_000, 500_000, 1_000_000}, 1, 5, 1, 1, 256L << 20, 1024, 1, 0, null, false, false);
    }

    /**
     * @param args {@code --rates R,R,... --seconds S --warmup W --rounds N --producers P --state BYTES --value BYTES
     *             --max-chain-length N --ring-slots N --dir D --keep --isolate-producer}.
     * @return the settings.
     * @throws IllegalArgumentException naming the bad option.
     */
    public static RatesSettings parse(final String[] args)
    {
        final RatesSettings d = defaults();
        long[] rates = d.rates;
        double warmup = d.warmupSeconds;
        double seconds = d.seconds;
        int rounds = d.rounds;
        int producers = d.producers;
        long stateBytes = d.stateBytes;
        int valueLength = d.valueLength;
        int maxChainLength = d.maxChainLength;
        int ringSlots = d.ringSlotCount;
        Path dir = d.baseDirectory;
        boolean keep = d.keepFiles;
        boolean isolate = d.isolateProducer;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--rates" -> rates = Arrays.stream(CommandLineValues.value(args, ++i, arg).split(",")).mapToLong(r -> CommandLineValues.count(arg, r.trim())).toArray();
                case "--seconds" -> seconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--rounds" -> rounds = (int)CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                case "--warmup" -> warmup = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--producers" -> producers = (int)CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                case "--state" -> stateBytes = CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--value" -> valueLength = (int)CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--max-chain-length" -> maxChainLength = (int)CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                case "--ring-slots" -> ringSlots = (int)CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--keep" -> keep = true;
                case "--isolate-producer" -> isolate = true;
                default -> throw new IllegalArgumentException("unknown option: " + arg + " (see ./engram help)");
            }
        }
        return new RatesSettings(rates, warmup, seconds, rounds, producers, stateBytes, valueLength, maxChainLength, ringSlots, dir, keep,
            isolate).validate();
    }

    /**
     * @return this, if every field is usable.
     * @throws IllegalArgumentException naming the bad field.
     */
    public RatesSettings validate()
    {
        if (rates.length == 0 || Arrays.stream(rates).anyMatch(r -> r < 1))
        {
            throw new IllegalArgumentException("rates must be one or more counts >= 1: rates=" + Arrays.toString(rates));
        }
        if (seconds <= 0 || warmupSeconds < 0)
        {
            throw new IllegalArgumentException("seconds must be > 0 and warmup >= 0: seconds=" + seconds + " warmup=" + warmupSeconds);
        }
        if (rounds < 1)
        {
            throw new IllegalArgumentException("rounds must be >= 1: rounds=" + rounds);
        }
        if (producers < 1)
        {
            throw new IllegalArgumentException("producers must be >= 1: producers=" + producers);
        }
        if (isolateProducer && (producers != 1 || !CpuIsolation.available()))
        {
            throw new IllegalArgumentException("--isolate-producer needs exactly 1 producer and Linux with >= 2 CPUs: " +
                "producers=" + producers + " CPUs available for it=" + CpuIsolation.available());
        }
        if (valueLength < EngineAppendTarget.PATCH_LENGTH || stateBytes < valueLength || stateBytes / valueLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("value must be >= " + EngineAppendTarget.PATCH_LENGTH + " bytes and state at " +
                "least one value (at most 2^31 values): state=" + stateBytes + " value=" + valueLength);
        }
        if (maxChainLength < 1 || ringSlotCount < 0)
        {
            throw new IllegalArgumentException("max-chain-length must be >= 1 and ring-slots >= 0: max-chain-length=" +
                maxChainLength + " ring-slots=" + ringSlotCount);
        }
        return this;
    }

    /** @return keys in the state. */
    public int keyCount()
    {
        return (int)(stateBytes / valueLength);
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "rates=%s/s warmup=%.2fs seconds=%.2fs rounds=%d producers=%d state=%,d B (%,d x %,d B) " +
                "maxChainLength=%d%s ringSlots=%s", Arrays.toString(rates), warmupSeconds, seconds, rounds, producers,
            (long)keyCount() * valueLength, keyCount(), valueLength, maxChainLength, maxChainLength == 1 ? " (full checkpoints)" : "",
            ringSlotCount == 0 ? "default" : Integer.toString(ringSlotCount));
    }

}
