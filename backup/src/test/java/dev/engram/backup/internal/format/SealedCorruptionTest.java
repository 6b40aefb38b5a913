package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import dev.engram.backup.internal.crypto.AesGcmSealer;
import dev.engram.backup.internal.repository.ChunkReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * In an encrypted repository every single-byte change and every cut of a sealed manifest, a sealed index object and
 * a sealed pack is refused (for a pack's chunk bytes: by the chunk's read), and a sealed piece never opens in an
 * unencrypted repository nor a plain one in an encrypted repository.
 */
class SealedCorruptionTest
{
    private static final byte[] DATA =
        "some chunk bytes, some chunk bytes, some chunk bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "another chunk".getBytes(StandardCharsets.UTF_8);

    private final AesGcmSealer sealer = new AesGcmSealer(filled(32, 5), filled(16, 6));

    @Test
    void everyFlipOrCutOfASealedManifestIsRefused() throws Exception
    {
        final ChunkId id = ChunkId.of(DATA);
        final Manifest manifest = new Manifest(2, 1, 1, 10, 20, 30,
            List.of(new Manifest.File("a/b", 0, DATA.length, List.of(new Manifest.ChunkRef(id, DATA.length)))));
        final byte[] m = ManifestFormat.encode(manifest, sealer);
        final String key = ManifestFormat.key(2);
        assertEquals(manifest, ManifestFormat.read(key, m, sealer));
        for (int i = 0; i < m.length; i++)
        {
            final byte[] flipped = m.clone();
            flipped[i] ^= 0x40;
            assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.read(key, flipped, sealer),
                "byte " + i);
        }
        for (int cut = 0; cut < m.length; cut++)
        {
            final byte[] shorter = Arrays.copyOf(m, cut);
            assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.read(key, shorter, sealer),
                "cut " + cut);
        }
        assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.read(ManifestFormat.key(3), m, sealer));
        assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.read(key, m, Sealer.PLAIN));
        assertThrows(RepositoryCorruptionException.class,
            () -> ManifestFormat.read(key, ManifestFormat.encode(manifest), sealer));
    }

    @Test
    void everyFlipOrCutOfASealedPackAndIndexObjectIsRefused() throws Exception
    {
        final PackBuilder builder = new PackBuilder();
        for (final byte[] chunk : List.of(DATA, OTHER))
        {
            final ChunkId id = ChunkId.of(chunk);
            final ChunkCodec.Stored stored = ChunkCodec.encode(chunk, 0, chunk.length, 3);
            builder.add(id, new ChunkCodec.Stored(sealer.sealChunk(id, stored.bytes()), stored.codec()), chunk.length);
        }
        final PackBuilder.Pack pack = builder.build(1, sealer);
        final byte[] p = pack.bytes();
        final List<PackEntry> entries = PackFormat.read("p", p, sealer);
        assertEquals(pack.entries(), entries);
        assertArrayEquals(DATA, read(p, entries.get(0)));
        assertArrayEquals(OTHER, read(p, entries.get(1)));
        assertThrows(RepositoryCorruptionException.class, () -> PackFormat.read("p", p), "a sealed pack is not plain");
        for (int i = 0; i < p.length; i++)
        {
            final byte[] flipped = p.clone();
            flipped[i] ^= 0x01;
            final int index = i;
            final PackEntry inChunk = entries.stream()
                .filter(e -> index >= e.offset() && index < e.offset() + e.storedLength()).findFirst().orElse(null);
            if (inChunk != null)
            {
                assertEquals(entries, PackFormat.read("p", flipped, sealer), "byte " + i + " is in a chunk");
                assertThrows(RepositoryCorruptionException.class, () -> read(flipped, inChunk), "byte " + i);
            }
            else
            {
                assertThrows(RepositoryCorruptionException.class, () -> PackFormat.read("p", flipped, sealer),
                    "byte " + i);
            }
        }
        for (int cut = 0; cut < p.length; cut++)
        {
            final byte[] shorter = Arrays.copyOf(p, cut);
            assertThrows(RepositoryCorruptionException.class, () -> PackFormat.read("p", shorter, sealer), "cut " + cut);
        }

        final String indexKey = PackFormat.indexKey(pack.id());
        final byte[] index = PackFormat.encodeIndex(indexKey, p.length, entries, sealer);
        assertEquals(entries, PackFormat.decodeIndex(indexKey, index, sealer));
        for (int i = 0; i < index.length; i++)
        {
            final byte[] flipped = index.clone();
            flipped[i] ^= 0x01;
            assertThrows(RepositoryCorruptionException.class, () -> PackFormat.decodeIndex(indexKey, flipped, sealer),
                "byte " + i);
        }
        for (int cut = 0; cut < index.length; cut++)
        {
            final byte[] shorter = Arrays.copyOf(index, cut);
            assertThrows(RepositoryCorruptionException.class, () -> PackFormat.decodeIndex(indexKey, shorter, sealer),
                "cut " + cut);
        }
        assertThrows(RepositoryCorruptionException.class,
            () -> PackFormat.decodeIndex(PackFormat.indexKey("0".repeat(64)), index, sealer), "renamed");
    }

    private byte[] read(final byte[] pack, final PackEntry entry) throws RepositoryCorruptionException
    {
        return ChunkReader.verify("p", entry, Arrays.copyOfRange(pack, (int)entry.offset(),
            (int)(entry.offset() + entry.storedLength())), sealer);
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] b = new byte[length];
        Arrays.fill(b, (byte)value);
        return b;
    }
}
