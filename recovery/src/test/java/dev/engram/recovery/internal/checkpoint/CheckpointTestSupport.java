package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random states with the awkward cases (empty values, values larger than a block, many small keys,
 * multi-byte UTF-8 keys), written to checkpoints and compared with a plain map.
 */
public final class CheckpointTestSupport
{
    public static final String[] UTF8_KEYS = {"ключ/1", "状态/神经元/7", "emoji/\uD83D\uDE00/x", "é", "Ωmega", "a"};

    private CheckpointTestSupport()
    {
    }

    public static long seed()
    {
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        System.out.println("seed=" + seed);
        return seed;
    }

    /**
     * @return key to value (never null values: a full state).
     */
    public static TreeMap<String, byte[]> randomState(final Random random, final int smallKeys, final int largeValues, final int largeLength)
    {
        final TreeMap<String, byte[]> state = new TreeMap<>();
        for (int i = 0; i < smallKeys; i++)
        {
            final byte[] value = new byte[random.nextInt(5) == 0 ? 0 : random.nextInt(300)];
            fill(random, value);
            state.put("k/" + i + "/" + Integer.toHexString(random.nextInt()), value);
        }
        for (final String key : UTF8_KEYS)
        {
            final byte[] value = new byte[random.nextInt(40)];
            fill(random, value);
            state.put(key, value);
        }
        for (int i = 0; i < largeValues; i++)
        {
            final byte[] value = new byte[largeLength + random.nextInt(1000)];
            fill(random, value);
            state.put("large/" + i, value);
        }
        state.put("empty", new byte[0]);
        return state;
    }

    /**
     * Half random bytes, half runs, so zstd has something to do.
     */
    public static void fill(final Random random, final byte[] value)
    {
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (i / 64) % 2 == 0 ? (byte)random.nextInt() : (byte)(i / 64);
        }
    }

    public static CheckpointInfo writeFull(final Path dir, final long id, final long stateVersion, final Map<String, byte[]> state,
        final CheckpointCompression compression, final int targetBlockLength)
    {
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext()
            .directory(dir).checkpointId(id).stateVersion(stateVersion).compression(compression).targetBlockLength(targetBlockLength)))
        {
            for (final Map.Entry<String, byte[]> e : state.entrySet())
            {
                writer.put(e.getKey(), e.getValue());
            }
            return writer.publish();
        }
    }

    /**
     * @param changes key to new value, or null for a removal.
     */
    public static CheckpointInfo writeDelta(final Path dir, final CheckpointInfo parent, final long id, final long stateVersion,
        final Map<String, byte[]> changes, final CheckpointCompression compression, final int targetBlockLength)
    {
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext()
            .directory(dir).checkpointId(id).stateVersion(stateVersion).deltaOf(parent)
            .compression(compression).targetBlockLength(targetBlockLength)))
        {
            for (final Map.Entry<String, byte[]> e : changes.entrySet())
            {
                if (e.getValue() == null)
                {
                    writer.tombstone(e.getKey());
                }
                else
                {
                    writer.put(e.getKey(), e.getValue());
                }
            }
            return writer.publish();
        }
    }

    public static byte[] bytes(final DirectBuffer buffer)
    {
        final byte[] copy = new byte[buffer.capacity()];
        buffer.getBytes(0, copy);
        return copy;
    }

    public static UnsafeBuffer key(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Every key of {@code expected} is found with its value, every entry read back is expected, nothing else.
     */
    public static void assertHolds(final MappedCheckpoint checkpoint, final Map<String, byte[]> expected)
    {
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (final Map.Entry<String, byte[]> e : expected.entrySet())
        {
            if (e.getValue() == null)
            {
                assertEquals(LookupStatus.TOMBSTONE, checkpoint.lookup(e.getKey(), view), e.getKey());
            }
            else
            {
                assertEquals(LookupStatus.FOUND, checkpoint.lookup(e.getKey(), view), e.getKey());
                assertArrayEquals(e.getValue(), bytes(view), e.getKey());
            }
        }
        final TreeMap<String, byte[]> seen = new TreeMap<>();
        checkpoint.forEachEntry(entry ->
            assertNull(seen.put(entry.keyString(), entry.isTombstone() ? null : bytes(entry.value())), "twice: " + entry.keyString()));
        assertEquals(expected.keySet(), seen.keySet());
        for (final Map.Entry<String, byte[]> e : expected.entrySet())
        {
            assertArrayEquals(e.getValue(), seen.get(e.getKey()), e.getKey());
        }
    }
}
