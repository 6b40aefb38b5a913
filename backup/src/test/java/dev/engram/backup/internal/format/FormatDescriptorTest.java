package dev.engram.backup.internal.format;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The offsets of docs/backup-format.md, read with a plain little-endian buffer from objects the writers really
 * produced (not through the code under test).
 */
class FormatDescriptorTest
{
    private static final byte[] HELLO = "hello, chunk".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ZEROS = new byte[4096];

    @Test
    void packOffsets()
    {
        final PackBuilder builder = new PackBuilder();
        builder.add(ChunkId.of(HELLO), ChunkCodec.encode(HELLO, 0, HELLO.length, 3), HELLO.length);
        builder.add(ChunkId.of(ZEROS), ChunkCodec.encode(ZEROS, 0, ZEROS.length, 3), ZEROS.length);
        final PackBuilder.Pack pack = builder.build(1_234_567L);
        final ByteBuffer b = ByteBuffer.wrap(pack.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ENGRMPAK", ascii(pack.bytes(), 0));
        assertEquals(1, b.getInt(8));
        assertEquals(2, b.getInt(12));
        assertEquals(1_234_567L, b.getLong(16));
        assertEquals(0, b.getInt(24));
        assertEquals(crc(pack.bytes(), 0, 28), b.getInt(28));

        // HELLO does not shrink: stored raw at 32; the zeros are a small zstd frame right after it
        final int footer = pack.bytes().length - 32;
        assertEquals("ENGRMPKF", ascii(pack.bytes(), footer));
        final long table = b.getLong(footer + 8);
        assertEquals(2, b.getInt(footer + 16));
        assertEquals(crc(pack.bytes(), (int)table, footer), b.getInt(footer + 20));
        assertEquals(0, b.getInt(footer + 24));
        assertEquals(crc(pack.bytes(), footer, footer + 28), b.getInt(footer + 28));
        assertEquals(footer, table + 2 * 64);

        final int row0 = (int)table;
        assertArrayEquals(ChunkId.of(HELLO).bytes(), Arrays.copyOfRange(pack.bytes(), row0, row0 + 32));
        assertEquals(32, b.getLong(row0 + 32));
        assertEquals(HELLO.length, b.getInt(row0 + 40));
        assertEquals(HELLO.length, b.getInt(row0 + 44));
        assertEquals(0, pack.bytes()[row0 + 48]);
        assertEquals(crc(pack.bytes(), 32, 32 + HELLO.length), b.getInt(row0 + 52));
        assertEquals(0, b.getLong(row0 + 56));
        assertArrayEquals(HELLO, Arrays.copyOfRange(pack.bytes(), 32, 32 + HELLO.length));

        final int row1 = row0 + 64;
        assertEquals(32 + HELLO.length, b.getLong(row1 + 32));
        final int stored = b.getInt(row1 + 40);
        assertEquals(ZEROS.length, b.getInt(row1 + 44));
        assertEquals(1, pack.bytes()[row1 + 48]);
        assertEquals(table, 32 + HELLO.length + stored);
        final byte[] frame = Arrays.copyOfRange(pack.bytes(), 32 + HELLO.length, (int)table);
        assertArrayEquals(ZEROS, com.github.luben.zstd.Zstd.decompress(frame, ZEROS.length));

        assertEquals(PackFormat.packId(pack.bytes()), pack.id());
        assertEquals("packs/" + pack.id().substring(0, 2) + "/" + pack.id(), PackFormat.packKey(pack.id()));

        final byte[] index = PackFormat.encodeIndex(pack.bytes().length, pack.entries());
        final ByteBuffer x = ByteBuffer.wrap(index).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ENGRMIDX", ascii(index, 0));
        assertEquals(1, x.getInt(8));
        assertEquals(2, x.getInt(12));
        assertEquals(pack.bytes().length, x.getLong(16));
        assertEquals(crc(index, 32, index.length), x.getInt(24));
        assertEquals(crc(index, 0, 28), x.getInt(28));
        assertArrayEquals(Arrays.copyOfRange(pack.bytes(), (int)table, footer), Arrays.copyOfRange(index, 32, index.length));
    }

    @Test
    void manifestOffsets() throws Exception
    {
        final ChunkId a = ChunkId.of(HELLO);
        final ChunkId z = ChunkId.of(ZEROS);
        final Manifest manifest = new Manifest(7, 6, 3, 42_000, 1_700_000_000_000L, 999, List.of(
            new Manifest.File("checkpoints/ckpt-0000000000000001.ckp", 1, HELLO.length + ZEROS.length,
                List.of(new Manifest.ChunkRef(a, HELLO.length), new Manifest.ChunkRef(z, ZEROS.length))),
            new Manifest.File("journal/x.cq4", 0, ZEROS.length, List.of(new Manifest.ChunkRef(z, ZEROS.length)))));
        final byte[] m = ManifestFormat.encode(manifest);
        final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ENGRMBKM", ascii(m, 0));
        assertEquals(1, b.getInt(8));
        assertEquals(0, b.getInt(12));
        assertEquals(7, b.getLong(16));
        assertEquals(6, b.getLong(24));
        assertEquals(3, b.getInt(32));
        assertEquals(2, b.getInt(36));
        assertEquals(42_000, b.getLong(40));
        assertEquals(1_700_000_000_000L, b.getLong(48));
        assertEquals(3, b.getLong(56));
        assertEquals(HELLO.length + 2L * ZEROS.length, b.getLong(64));
        assertEquals(999, b.getLong(72));
        assertArrayEquals(MerkleRoot.of(List.of(a, z, z)), Arrays.copyOfRange(m, 80, 112));
        assertArrayEquals(new byte[12], Arrays.copyOfRange(m, 112, 124));
        assertEquals(crc(m, 0, 124), b.getInt(124));

        final String path = "checkpoints/ckpt-0000000000000001.ckp";
        assertEquals(path.length(), b.getShort(128));
        assertEquals(1, m[130]);
        assertEquals(0, m[131]);
        assertEquals(HELLO.length + ZEROS.length, b.getLong(132));
        assertEquals(2, b.getInt(140));
        assertEquals(path, new String(m, 144, path.length(), StandardCharsets.UTF_8));
        final int ref = 144 + path.length();
        assertArrayEquals(a.bytes(), Arrays.copyOfRange(m, ref, ref + 32));
        assertEquals(HELLO.length, b.getInt(ref + 32));
        assertArrayEquals(z.bytes(), Arrays.copyOfRange(m, ref + 36, ref + 68));
        final int second = ref + 72;
        assertEquals("journal/x.cq4".length(), b.getShort(second));
        assertEquals(second + 16 + "journal/x.cq4".length() + 36, m.length - 32);
        assertArrayEquals(sha256(Arrays.copyOf(m, m.length - 32)), Arrays.copyOfRange(m, m.length - 32, m.length));

        assertEquals(manifest, ManifestFormat.decode(ManifestFormat.key(7), m));
        assertEquals("manifests/0000000000000007", ManifestFormat.key(7));
    }

    @Test
    void merkleTreeShape()
    {
        final ChunkId a = ChunkId.of(HELLO);
        final ChunkId z = ChunkId.of(ZEROS);
        assertArrayEquals(sha256(new byte[0]), MerkleRoot.of(List.of()));
        final byte[] leaf0 = sha256(concat(new byte[] {0}, le(0), a.bytes()));
        assertArrayEquals(leaf0, MerkleRoot.of(List.of(a)));
        final byte[] leaf1 = sha256(concat(new byte[] {0}, le(1), z.bytes()));
        final byte[] leaf2 = sha256(concat(new byte[] {0}, le(2), a.bytes()));
        final byte[] node01 = sha256(concat(new byte[] {1}, leaf0, leaf1));
        // three leaves: the odd last one is carried up unchanged
        assertArrayEquals(sha256(concat(new byte[] {1}, node01, leaf2)), MerkleRoot.of(List.of(a, z, a)));
    }

    @Test
    void configOffsets() throws Exception
    {
        final RepositoryConfig config = RepositoryConfig.create(55L);
        final byte[] c = config.encode();
        final ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64, c.length);
        assertEquals("ENGRMBKR", ascii(c, 0));
        assertEquals(1, b.getInt(8));
        assertEquals(0, b.getInt(12));
        assertEquals(config.id(), java.util.HexFormat.of().formatHex(c, 16, 32));
        assertEquals(55L, b.getLong(32));
        assertEquals(crc(c, 0, 60), b.getInt(60));
        assertEquals(config, RepositoryConfig.decode(c));
    }

    private static String ascii(final byte[] b, final int at)
    {
        return new String(b, at, 8, StandardCharsets.US_ASCII);
    }

    private static int crc(final byte[] b, final int from, final int to)
    {
        final CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return (int)crc.getValue();
    }

    private static byte[] le(final long v)
    {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] concat(final byte[]... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] sha256(final byte[] b)
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
