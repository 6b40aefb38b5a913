package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock object's offsets (docs/backup-format.md, "Lock"), read with a plain little-endian buffer from what the
 * writer produced, and a damaged one refused naming the key and offset.
 */
class LockFormatDescriptorTest
{
    @Test
    void lockOffsets() throws Exception
    {
        final LockObject lock = new LockObject(true, 31_337L, 1_700_000_000_123L, 1_765_000_000_000L,
            1_765_000_300_000L, "höst-1", "prune");
        final byte[] b = lock.encode();
        final ByteBuffer x = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] host = "höst-1".getBytes(StandardCharsets.UTF_8);
        assertEquals(7, host.length);
        assertEquals(52 + 7 + 5 + 4, b.length);
        assertEquals("ENGRMLCK", new String(b, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, x.getInt(8));
        assertEquals(2, x.getInt(12));
        assertEquals(31_337L, x.getLong(16));
        assertEquals(1_700_000_000_123L, x.getLong(24));
        assertEquals(1_765_000_000_000L, x.getLong(32));
        assertEquals(1_765_000_300_000L, x.getLong(40));
        assertEquals(7, x.getShort(48));
        assertEquals(5, x.getShort(50));
        assertArrayEquals(host, Arrays.copyOfRange(b, 52, 59));
        assertEquals("prune", new String(b, 59, 5, StandardCharsets.UTF_8));
        final CRC32C crc = new CRC32C();
        crc.update(b, 0, 64);
        assertEquals((int)crc.getValue(), x.getInt(64));

        assertEquals(lock, LockObject.decode("locks/exclusive-x", b));
        assertEquals(1, ByteBuffer.wrap(new LockObject(false, 1, 0, 2, 3, "h", "backup").encode())
            .order(ByteOrder.LITTLE_ENDIAN).getInt(12));
        assertEquals("locks/shared-00ff", LockObject.key(false, "00ff"));
        assertEquals("locks/exclusive-00ff", LockObject.key(true, "00ff"));

        b[20] ^= 1;
        final RepositoryCorruptionException damaged = assertThrows(RepositoryCorruptionException.class,
            () -> LockObject.decode("locks/exclusive-x", b));
        assertEquals("locks/exclusive-x", damaged.key());
        assertEquals(64, damaged.offset());
        assertTrue(damaged.getMessage().contains("CRC32C"), damaged.getMessage());
    }
}
