package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.checkpoint.CheckpointWriter;
import dev.engram.recovery.internal.checkpoint.CheckpointWriterContext;
import dev.engram.recovery.internal.checkpoint.InFileIndexDescriptor;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Numbers for docs/checkpoint-format.md: write throughput raw and zstd, open time, point-read latency
 * (one checkpoint, a chain through in-file indexes, a chain through the key index). Checks its own
 * results. Writes about 1.5 GiB: runs only with {@code -Dengram.test.measure=true}.
 */
@EnabledIfSystemProperty(named = "engram.test.measure", matches = "true")
class CheckpointMeasurementTest
{
    private static final int KEYS = Integer.getInteger("engram.test.measure.keys", 1 << 20);
    private static final int VALUE_LENGTH = 1024;

    @TempDir
    Path dir;

    private static byte[] valueFor(final int i, final Random random)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        // a few random words among repeated ones: compressible about 2-3x, like typical state
        for (int p = 0; p < VALUE_LENGTH; p += 8)
        {
            final long word = random.nextInt(4) == 0 ? random.nextLong() : (p * 31L + i % 64);
            for (int b = 0; b < 8; b++)
            {
                value[p + b] = (byte)(word >>> (8 * b));
            }
        }
        value[0] = (byte)i;
        value[1] = (byte)(i >> 8);
        value[2] = (byte)(i >> 16);
        return value;
    }

    private CheckpointInfo write(final long id, final CheckpointCompression compression, final int level, final int keys)
    {
        final Random random = new Random(id);
        final byte[][] values = new byte[256][];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = valueFor(i, random);
        }
        final long start = System.nanoTime();
        final CheckpointInfo info;
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext()
            .directory(dir).checkpointId(id).stateVersion(id).compression(compression).zstdLevel(level)))
        {
            final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
            for (int i = 0; i < keys; i++)
            {
                value.putBytes(0, values[i & 255]);
                value.putInt(VALUE_LENGTH - 4, i);
                writer.put("component/" + i, value, 0, VALUE_LENGTH);
            }
            info = writer.publish();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("write %s%s: %d keys x %d B, raw %.0f MiB -> file %.0f MiB in %.2f s = %.0f MB/s of raw data (ratio %.2f)%n",
            compression, compression == CheckpointCompression.ZSTD ? "-" + level : "", keys, VALUE_LENGTH,
            info.rawBlockBytes() / 1048576.0, info.fileLength() / 1048576.0, seconds, info.rawBlockBytes() / 1e6 / seconds,
            info.compressionRatio());
        return info;
    }

    private static long[] lookupLatencies(final MappedCheckpoint checkpoint, final CheckpointChain chain, final int keys)
    {
        final Random random = new Random(7);
        final UnsafeBuffer[] keyBuffers = new UnsafeBuffer[4096];
        final int[] ids = new int[keyBuffers.length];
        for (int i = 0; i < keyBuffers.length; i++)
        {
            ids[i] = random.nextInt(keys);
            keyBuffers[i] = new UnsafeBuffer(("component/" + ids[i]).getBytes(StandardCharsets.UTF_8));
        }
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        final long[] samples = new long[200_000];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < samples.length; i++)
            {
                final UnsafeBuffer key = keyBuffers[i & 4095];
                final long start = System.nanoTime();
                final LookupStatus status = checkpoint != null ?
                    checkpoint.lookup(key, 0, key.capacity(), view) : chain.get(key, 0, key.capacity(), view);
                samples[i] = System.nanoTime() - start;
                if (status != LookupStatus.FOUND || view.getInt(VALUE_LENGTH - 4) != ids[i & 4095])
                {
                    fail("wrong answer for component/" + ids[i & 4095]);
                }
            }
        }
        Arrays.sort(samples);
        return samples;
    }

    private static String percentiles(final long[] sorted)
    {
        return String.format("p50=%d ns p90=%d ns p99=%d ns p99.9=%d ns max=%d ns", sorted[sorted.length / 2],
            sorted[(int)(sorted.length * 0.9)], sorted[(int)(sorted.length * 0.99)], sorted[(int)(sorted.length * 0.999)],
            sorted[sorted.length - 1]);
    }

    @Test
    void shouldMeasureWriteOpenAndLookup() throws Exception
    {
        final CheckpointInfo raw = write(1, CheckpointCompression.NONE, 0, KEYS);
        final long openStart = System.nanoTime();
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(raw.path()))
        {
            final long firstOpenNs = System.nanoTime() - openStart;
            final long secondStart = System.nanoTime();
            try (MappedCheckpoint again = MappedCheckpoint.open(raw.path()))
            {
                final long secondOpenNs = System.nanoTime() - secondStart;
                System.out.printf("open %.0f MiB raw checkpoint (%d blocks, index %.0f MiB): first in JVM %.1f ms, again %.1f ms%n",
                    raw.fileLength() / 1048576.0, raw.blockCount(), InFileIndexDescriptor.slotCountFor(KEYS) * 16 / 1048576.0,
                    firstOpenNs / 1e6, secondOpenNs / 1e6);
                assertEquals(raw.checkpointId(), again.info().checkpointId());
            }
            System.out.println("lookup raw checkpoint (first touches include CRC of the block): " +
                percentiles(lookupLatencies(checkpoint, null, KEYS)));
            final long verifyStart = System.nanoTime();
            checkpoint.verifyAllBlocks();
            System.out.printf("verifyAllBlocks of the rest: %.0f ms%n", (System.nanoTime() - verifyStart) / 1e6);
        }
        Files.delete(raw.path());

        final int zstdKeys = KEYS / 4;
        for (final int level : new int[] {1, 3})
        {
            final CheckpointInfo zstd = write(10 + level, CheckpointCompression.ZSTD, level, zstdKeys);
            try (MappedCheckpoint checkpoint = MappedCheckpoint.open(zstd.path()))
            {
                final long start = System.nanoTime();
                checkpoint.forEachEntry(e ->
                {
                });
                System.out.printf("zstd-%d: decompress + visit every entry %.0f ms (%.0f MB/s raw)%n", level,
                    (System.nanoTime() - start) / 1e6, zstd.rawBlockBytes() / 1e6 / ((System.nanoTime() - start) / 1e9));
                System.out.println("lookup zstd checkpoint (blocks cached): " + percentiles(lookupLatencies(checkpoint, null, zstdKeys)));
            }
            Files.delete(zstd.path());
        }

        // chain: a full of KEYS/4 keys + 3 deltas rewriting 10% each; in-file path vs key index
        final int chainKeys = KEYS / 4;
        CheckpointInfo head = write(20, CheckpointCompression.NONE, 0, chainKeys);
        final List<CheckpointInfo> infos = new ArrayList<>(List.of(head));
        for (int d = 1; d <= 3; d++)
        {
            try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext()
                .directory(dir).checkpointId(20 + d).stateVersion(20 + d).deltaOf(head)))
            {
                final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
                for (int i = d; i < chainKeys; i += 10)
                {
                    value.putInt(VALUE_LENGTH - 4, i);
                    writer.put("component/" + i, value, 0, VALUE_LENGTH);
                }
                head = writer.publish();
            }
            infos.add(head);
        }
        try (CheckpointChain chain = CheckpointChain.open(dir, head.checkpointId()))
        {
            System.out.println("chain of 4, in-file indexes newest to oldest: " + percentiles(lookupLatencies(null, chain, chainKeys)));
            long start = System.nanoTime();
            final KeyIndexReport built = KeyLocationIndex.rebuildFrom(dir, chain);
            System.out.printf("key index build from chain (%d live keys, first Chronicle Map in this JVM): %.0f ms, file %.0f MiB%n",
                built.liveKeys(), (System.nanoTime() - start) / 1e6, Files.size(built.file()) / 1048576.0);
            start = System.nanoTime();
            final KeyLocationIndex index = KeyLocationIndex.open(dir, chain);
            System.out.printf("key index open (seal CRC of the whole map file + Chronicle open): %.0f ms%n", (System.nanoTime() - start) / 1e6);
            chain.attach(index);
            System.out.println("chain of 4, key index: " + percentiles(lookupLatencies(null, chain, chainKeys)));
            assertTrue(chain.hasKeyIndex());
            final CheckpointChain parentChain = CheckpointChain.open(dir, infos.get(2).checkpointId());
            try (parentChain)
            {
                KeyLocationIndex.rebuildFrom(dir, parentChain);
            }
            try (CheckpointChain again = CheckpointChain.open(dir, head.checkpointId()))
            {
                start = System.nanoTime();
                final KeyIndexReport copied = KeyLocationIndex.publish(dir, again);
                System.out.printf("key index publish for a delta of %d puts by %s: %.0f ms%n", again.head().info().putCount(),
                    copied.method(), (System.nanoTime() - start) / 1e6);
                assertEquals(KeyIndexReport.Method.COPIED_FROM_PARENT, copied.method());
            }
        }
    }
}
