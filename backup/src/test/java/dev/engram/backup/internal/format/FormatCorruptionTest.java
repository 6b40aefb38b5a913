package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every single-byte change of a manifest, of an index object and of a pack's header, table and footer is refused;
 * every cut is refused.
 */
class FormatCorruptionTest
{
    private static final byte[] DATA = "some chunk bytes, some chunk bytes, some chunk bytes".getBytes(StandardCharsets.UTF_8);

    @Test
    void everyFlipOrCutOfAManifestIsRefused() throws Exception
    {
        final ChunkId id = ChunkId.of(DATA);
        final byte[] m = ManifestFormat.encode(new Manifest(2, 1, 1, 10, 20, 30,
            List.of(new Manifest.File("a/b", 0, DATA.length, List.of(new Manifest.ChunkRef(id, DATA.length))))));
        final String key = ManifestFormat.key(2);
        ManifestFormat.decode(key, m);
        for (int i = 0; i < m.length; i++)
        {
            final byte[] flipped = m.clone();
            flipped[i] ^= 0x40;
            assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.decode(key, flipped), "byte " + i);
        }
        for (int cut = 0; cut < m.length; cut++)
        {
            final byte[] shorter = Arrays.copyOf(m, cut);
            assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.decode(key, shorter), "cut " + cut);
        }
        assertThrows(RepositoryCorruptionException.class, () -> ManifestFormat.decode(ManifestFormat.key(3), m));
    }

    @Test
    void everyFlipOutsideAPacksDataIsRefusedAndDataFlipsFailTheirCrc() throws Exception
    {
        final PackBuilder builder = new PackBuilder();
        builder.add(ChunkId.of(DATA), ChunkCodec.encode(DATA, 0, DATA.length, 3), DATA.length);
        final PackBuilder.Pack pack = builder.build(1);
        final byte[] p = pack.bytes();
        final List<PackEntry> entries = PackFormat.read("p", p);
        assertEquals(pack.entries(), entries);
        final PackEntry entry = entries.get(0);
        for (int i = 0; i < p.length; i++)
        {
            final byte[] flipped = p.clone();
            flipped[i] ^= 0x01;
            if (i >= entry.offset() && i < entry.offset() + entry.storedLength())
            {
                final List<PackEntry> read = PackFormat.read("p", flipped);
                final byte[] stored = Arrays.copyOfRange(flipped, (int)entry.offset(),
                    (int)entry.offset() + entry.storedLength());
                final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(stored);
                assertEquals(false, (int)crc.getValue() == read.get(0).storedCrc(), "byte " + i);
            }
            else
            {
                assertThrows(RepositoryCorruptionException.class, () -> PackFormat.read("p", flipped), "byte " + i);
            }
        }
        final byte[] index = PackFormat.encodeIndex(p.length, entries);
        assertEquals(entries, PackFormat.decodeIndex("i", index));
        for (int i = 0; i < index.length; i++)
        {
            final byte[] flipped = index.clone();
            flipped[i] ^= 0x01;
            assertThrows(RepositoryCorruptionException.class, () -> PackFormat.decodeIndex("i", flipped), "byte " + i);
        }
    }

    @Test
    void chunksRoundTripRawOrZstd()
    {
        final byte[] random = new byte[1000];
        new java.util.Random(1).nextBytes(random);
        final ChunkCodec.Stored raw = ChunkCodec.encode(random, 0, random.length, 3);
        assertEquals(ChunkCodec.NONE, raw.codec());
        final byte[] zeros = new byte[100_000];
        final ChunkCodec.Stored zstd = ChunkCodec.encode(zeros, 0, zeros.length, 3);
        assertEquals(ChunkCodec.ZSTD, zstd.codec());
        assertEquals(0, Arrays.compare(zeros, ChunkCodec.decode(zstd.bytes(), zstd.codec(), zeros.length)));
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.decode(zstd.bytes(), ChunkCodec.ZSTD, 99_999));
    }
}
