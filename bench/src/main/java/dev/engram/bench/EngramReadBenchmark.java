package dev.engram.bench;

import dev.engram.engine.internal.EngineInternals;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.StateReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Point reads of one key, single thread, nanoseconds per read: a key whose newest value lives in the mapped
 * checkpoint ({@code checkpoint*}) against one changed since, which lives in the off-heap overlay
 * ({@code overlay*}). Three ways to read:
 * <ul>
 *   <li>{@code *Copy}: {@link Engram#get(CharSequence)}, a new {@code byte[]} copy per read (allocates the value);</li>
 *   <li>{@code *IntoBuffer}: {@link StateReader#get(CharSequence, org.agrona.MutableDirectBuffer, int)} into a
 *       reused buffer (the raw byte lookup);</li>
 *   <li>{@code *Typed}: {@link Engram#get(CharSequence, Class)} of a {@code String} value (codec decode).</li>
 * </ul>
 * State ({@code @Setup}, untimed): {@code keyCount} values of {@code valueLength} bytes under {@code ckpt/<i>}
 * and 1,000 typed strings under {@code typed/ckpt/<i>}, checkpointed; then as many under {@code live/<i>}
 * and {@code typed/live/<i>}, not checkpointed (the background checkpointer is held off). Each read takes the
 * next key in turn, so reads walk the whole state rather than one hot cache line. Every key is checked once
 * before measuring. Data under {@code /tmp/jmh-read-*}, deleted afterwards.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class EngramReadBenchmark
{
    static final int TYPED_KEYS = 1_000;

    static
    {
        EngramSystemProperties.apply();
    }

    /** The engine with a checkpointed half and an overlay half. */
    @State(Scope.Benchmark)
    public static class ReadState
    {
        @Param({"100000"})
        public int keyCount;

        @Param({"1024"})
        public int valueLength;

        Engram engram;
        String[] checkpointKeys;
        String[] overlayKeys;
        String[] typedCheckpointKeys;
        String[] typedOverlayKeys;
        private Path directory;

        @Setup(Level.Trial)
        public void open()
        {
            EngramSystemProperties.apply();
            directory = BenchFiles.newDirectory("jmh-read-");
            final EngramContext ctx = BenchState.checkpointOnDemandContext();
            ctx.journal().ringSlotLength(BenchState.BUILD_RING_SLOT_LENGTH);
            engram = Engram.open(directory, ctx);
            checkpointKeys = keys("ckpt/", keyCount);
            overlayKeys = keys("live/", keyCount);
            typedCheckpointKeys = keys("typed/ckpt/", TYPED_KEYS);
            typedOverlayKeys = keys("typed/live/", TYPED_KEYS);

            BenchState.putAll(engram, "ckpt/", keyCount, valueLength);
            final long checkpointed = putTyped(typedCheckpointKeys);
            engram.checkpoint();
            if (engram.checkpointVersion() != checkpointed)
            {
                throw new IllegalStateException("checkpoint holds version=" + engram.checkpointVersion() +
                    ", expected " + checkpointed);
            }
            BenchState.putAll(engram, "live/", keyCount, valueLength);
            putTyped(typedOverlayKeys);
            if (engram.checkpointVersion() != checkpointed || EngineInternals.store(engram).overlayBytes() <= 0)
            {
                throw new IllegalStateException("overlay keys were checkpointed or the overlay is empty: checkpointVersion=" +
                    engram.checkpointVersion() + " overlayBytes=" + EngineInternals.store(engram).overlayBytes());
            }
            verify();
        }

        private long putTyped(final String[] keys)
        {
            long version = 0;
            for (final String key : keys)
            {
                version = engram.delta().put(key, (Object)("value of " + key)).commit();
            }
            BenchState.awaitApplied(engram, version);
            return version;
        }

        private void verify()
        {
            for (int i = 0; i < keyCount; i++)
            {
                final byte[] expected = BenchState.expectedValue(i, valueLength);
                if (!Arrays.equals(engram.get(checkpointKeys[i]), expected) || !Arrays.equals(engram.get(overlayKeys[i]), expected))
                {
                    throw new IllegalStateException("benchmark state reads back wrong at key index " + i);
                }
            }
            for (int i = 0; i < TYPED_KEYS; i++)
            {
                if (!("value of " + typedCheckpointKeys[i]).equals(engram.get(typedCheckpointKeys[i], String.class)) ||
                    !("value of " + typedOverlayKeys[i]).equals(engram.get(typedOverlayKeys[i], String.class)))
                {
                    throw new IllegalStateException("typed benchmark state reads back wrong at key index " + i);
                }
            }
        }

        private static String[] keys(final String prefix, final int count)
        {
            final String[] keys = new String[count];
            for (int i = 0; i < count; i++)
            {
                keys[i] = prefix + i;
            }
            return keys;
        }

        @TearDown(Level.Trial)
        public void close()
        {
            engram.close();
            BenchFiles.deleteTree(directory);
        }
    }

    /** One reader thread: its cursor over the keys, its reader and its buffer. */
    @State(Scope.Thread)
    public static class Cursor
    {
        StateReader reader;
        UnsafeBuffer buffer;
        int next;
        int nextTyped;
        private int keyCount;

        @Setup(Level.Trial)
        public void open(final ReadState state)
        {
            reader = EngineInternals.store(state.engram).newReader();
            buffer = new UnsafeBuffer(new byte[state.valueLength]);
            keyCount = state.keyCount;
        }

        int next()
        {
            final int i = next;
            next = i + 1 == keyCount ? 0 : i + 1;
            return i;
        }

        int nextTyped()
        {
            final int i = nextTyped;
            nextTyped = i + 1 == TYPED_KEYS ? 0 : i + 1;
            return i;
        }

        @TearDown(Level.Trial)
        public void close()
        {
            reader.close();
        }
    }

    @Benchmark
    public byte[] checkpointCopy(final ReadState state, final Cursor cursor)
    {
        return state.engram.get(state.checkpointKeys[cursor.next()]);
    }

    @Benchmark
    public byte[] overlayCopy(final ReadState state, final Cursor cursor)
    {
        return state.engram.get(state.overlayKeys[cursor.next()]);
    }

    @Benchmark
    public int checkpointIntoBuffer(final ReadState state, final Cursor cursor)
    {
        return cursor.reader.get(state.checkpointKeys[cursor.next()], cursor.buffer, 0);
    }

    @Benchmark
    public int overlayIntoBuffer(final ReadState state, final Cursor cursor)
    {
        return cursor.reader.get(state.overlayKeys[cursor.next()], cursor.buffer, 0);
    }

    @Benchmark
    public String checkpointTyped(final ReadState state, final Cursor cursor)
    {
        return state.engram.get(state.typedCheckpointKeys[cursor.nextTyped()], String.class);
    }

    @Benchmark
    public String overlayTyped(final ReadState state, final Cursor cursor)
    {
        return state.engram.get(state.typedOverlayKeys[cursor.nextTyped()], String.class);
    }
}
