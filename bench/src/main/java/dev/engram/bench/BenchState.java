package dev.engram.bench;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.Delta;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds the states the engine benchmarks read, recover and checkpoint: {@code keyCount} raw values of
 * {@code valueLength} bytes under {@code <prefix><i>}, and tails of small PUTs over those keys. Untimed
 * set-up only (it allocates key strings freely).
 */
public final class BenchState
{
    /** Triggers so high that the background checkpointer never starts a build on its own. */
    public static final long NEVER = Long.MAX_VALUE / 4;
    /** Ring slot length for building states of ~1 KiB values: the values travel inline. */
    public static final int BUILD_RING_SLOT_LENGTH = 2048;
    private static final long AWAIT_TIMEOUT_S = 600;

    private BenchState()
    {
    }

    /**
     * @return a context whose checkpoints happen only when asked for ({@link Engram#checkpoint()}).
     */
    public static EngramContext checkpointOnDemandContext()
    {
        final EngramContext ctx = new EngramContext()
            .checkpointEveryFrames(NEVER)
            .checkpointIntervalMs(0)
            .recordAppendLatency(false);
        ctx.state().checkpointEveryBytes(NEVER);
        return ctx;
    }

    /**
     * Append {@code keyCount} PUTs of {@code valueLength} bytes, one version each, and wait until applied.
     *
     * @return the last version.
     */
    public static long putAll(final Engram engram, final String prefix, final int keyCount, final int valueLength)
    {
        final Delta delta = engram.newDelta();
        final byte[] value = new byte[valueLength];
        long version = engram.lastAppendedVersion();
        for (int i = 0; i < keyCount; i++)
        {
            fill(value, i);
            version = engram.append(delta.clear().put(prefix + i, value));
        }
        awaitApplied(engram, version);
        return version;
    }

    /**
     * Append {@code deltas} PUTs of {@code valueLength} bytes to random keys {@code <prefix><0..keyCount-1>}.
     *
     * @return the last version.
     */
    public static long putRandom(final Engram engram, final String prefix, final int keyCount, final int valueLength,
        final long deltas, final long seed)
    {
        final Delta delta = engram.newDelta();
        final byte[] value = new byte[valueLength];
        final SplittableRandom random = new SplittableRandom(seed);
        final StringBuilder key = new StringBuilder(32);
        long version = engram.lastAppendedVersion();
        for (long d = 0; d < deltas; d++)
        {
            final int k = random.nextInt(keyCount);
            value[0] = (byte)d;
            key.setLength(0);
            key.append(prefix).append(k);
            version = engram.append(delta.clear().put(key, value));
        }
        awaitApplied(engram, version);
        return version;
    }

    /**
     * The value {@link #putAll} wrote for key index {@code i}.
     */
    public static byte[] expectedValue(final int i, final int valueLength)
    {
        final byte[] value = new byte[valueLength];
        fill(value, i);
        return value;
    }

    public static void awaitApplied(final Engram engram, final long version)
    {
        if (!engram.awaitApplied(version, AWAIT_TIMEOUT_S, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("benchmark state not applied: version=" + version + " appliedVersion=" +
                engram.appliedVersion() + " after " + AWAIT_TIMEOUT_S + " s");
        }
    }

    private static void fill(final byte[] value, final int i)
    {
        Arrays.fill(value, (byte)('a' + i % 26));
        if (value.length >= 4)
        {
            value[0] = (byte)i;
            value[1] = (byte)(i >>> 8);
            value[2] = (byte)(i >>> 16);
            value[3] = (byte)(i >>> 24);
        }
    }
}
