package dev.engram.replica.internal;

import dev.engram.journal.Delta;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch carries each delta's ops exactly: read back and replayed into a fresh {@link Delta}, the ops bytes are the
 * ones the leader was given (puts, deletes, patches, multi-byte UTF-8 keys, empty values); a damaged batch is refused.
 */
class DeltaBatchTest
{
    @Test
    void opsSurviveTheBatchAndTheReplayByteForByte()
    {
        final List<byte[]> sent = new ArrayList<>();
        final DeltaBatch batch = new DeltaBatch();
        final Delta delta = new Delta();
        for (int i = 0; i < 50; i++)
        {
            delta.clear().put("k/" + i + "/é✓", ("value " + i).getBytes(StandardCharsets.UTF_8));
            if (i % 3 == 0)
            {
                delta.delete("gone/" + i);
            }
            if (i % 5 == 0)
            {
                delta.patch("k/" + i + "/é✓", 1L << 30, new byte[] {1, 2, 3});
            }
            if (i % 7 == 0)
            {
                delta.put("empty", new byte[0]);
            }
            sent.add(ops(delta));
            batch.add(delta);
        }
        final byte[] bytes = batch.toBytes();
        assertEquals(bytes.length, batch.length());

        final List<byte[]> received = new ArrayList<>();
        final Delta replayed = new Delta();
        final int count = DeltaBatch.read(new UnsafeBuffer(bytes), 0, bytes.length, (index, ops, offset, length) ->
        {
            assertEquals(received.size(), index);
            OpsReplay.into(replayed, ops, offset, length);
            received.add(ops(replayed));
        });
        assertEquals(50, count);
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), received.get(i), "delta " + i);
        }

        batch.clear();
        assertEquals(DeltaBatch.HEADER_LENGTH, batch.length());
        assertEquals(0, batch.count());
    }

    @Test
    void aDamagedBatchIsRefused()
    {
        final DeltaBatch batch = new DeltaBatch();
        batch.add(new Delta().put("k", new byte[] {1}));
        final byte[] bytes = batch.toBytes();
        final byte[] wrongFormat = bytes.clone();
        wrongFormat[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read(wrongFormat)).getMessage().contains("format"));
        final byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
        assertThrows(IllegalArgumentException.class, () -> read(truncated));
        final byte[] trailing = Arrays.copyOf(bytes, bytes.length + 3);
        assertThrows(IllegalArgumentException.class, () -> read(trailing));
    }

    private static void read(final byte[] bytes)
    {
        DeltaBatch.read(new UnsafeBuffer(bytes), 0, bytes.length, (index, ops, offset, length) -> { });
    }

    private static byte[] ops(final Delta delta)
    {
        final byte[] ops = new byte[delta.opsLength()];
        delta.opsBuffer().getBytes(0, ops);
        return ops;
    }
}
