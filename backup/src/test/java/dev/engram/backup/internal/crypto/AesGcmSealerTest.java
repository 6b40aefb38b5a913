package dev.engram.backup.internal.crypto;

import dev.engram.backup.RepositoryCorruptionException;
import dev.engram.backup.internal.format.ChunkId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sealing detects every changed byte, a cut, and a piece presented as another (other chunk id, other key, other
 * repository, other master key); every seal has a fresh nonce.
 */
class AesGcmSealerTest
{
    private static final byte[] MASTER = new byte[32];
    private static final byte[] REPO = new byte[16];
    private static final byte[] DATA = "some chunk bytes, compressed or not".getBytes(StandardCharsets.UTF_8);

    static
    {
        Arrays.fill(MASTER, (byte)42);
        Arrays.fill(REPO, (byte)7);
    }

    private final AesGcmSealer sealer = new AesGcmSealer(MASTER, REPO);
    private final ChunkId id = ChunkId.of(DATA);

    @Test
    void everyChangedByteOfAChunkIsDetected() throws Exception
    {
        final byte[] sealed = sealer.sealChunk(id, DATA);
        assertEquals(DATA.length + 28, sealed.length);
        assertArrayEquals(DATA, sealer.openChunk("packs/p", 32, id, sealed));
        for (int i = 0; i < sealed.length; i++)
        {
            final byte[] changed = sealed.clone();
            changed[i] ^= 1;
            final RepositoryCorruptionException ex = assertThrows(RepositoryCorruptionException.class,
                () -> sealer.openChunk("packs/p", 32, id, changed), "byte " + i);
            assertEquals("packs/p", ex.key());
            assertEquals(32, ex.offset());
            assertTrue(ex.getMessage().contains(id.hex()), ex.getMessage());
        }
        for (int cut = 0; cut < sealed.length; cut++)
        {
            final byte[] shorter = Arrays.copyOf(sealed, cut);
            assertThrows(RepositoryCorruptionException.class, () -> sealer.openChunk("packs/p", 32, id, shorter));
        }
    }

    @Test
    void aPiecePresentedAsAnotherIsDetected() throws Exception
    {
        final byte[] chunk = sealer.sealChunk(id, DATA);
        assertThrows(RepositoryCorruptionException.class,
            () -> sealer.openChunk("packs/p", 32, ChunkId.of(new byte[1]), chunk));
        final byte[] object = sealer.sealObject("manifests/0000000000000001", DATA);
        assertArrayEquals(DATA, sealer.openObject("manifests/0000000000000001", object));
        assertThrows(RepositoryCorruptionException.class,
            () -> sealer.openObject("manifests/0000000000000002", object));
        final byte[] otherRepo = new byte[16];
        assertThrows(RepositoryCorruptionException.class,
            () -> new AesGcmSealer(MASTER, otherRepo).openObject("manifests/0000000000000001", object));
        final byte[] otherMaster = MASTER.clone();
        otherMaster[0] ^= 1;
        assertThrows(RepositoryCorruptionException.class,
            () -> new AesGcmSealer(otherMaster, REPO).openChunk("packs/p", 32, id, chunk));
        final byte[] table = sealer.sealTable(3, DATA);
        assertArrayEquals(DATA, sealer.openTable("packs/p", 100, 3, table));
        assertThrows(RepositoryCorruptionException.class, () -> sealer.openTable("packs/p", 100, 4, table));
        assertThrows(RepositoryCorruptionException.class, () -> sealer.openObject("index/x", table),
            "a table is not a sealed object");
    }

    @Test
    void everySealHasAFreshNonce()
    {
        final byte[] a = sealer.sealChunk(id, DATA);
        final byte[] b = sealer.sealChunk(id, DATA);
        assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)));
        assertFalse(Arrays.equals(a, b));
    }
}
