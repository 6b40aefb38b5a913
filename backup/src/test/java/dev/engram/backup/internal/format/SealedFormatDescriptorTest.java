package dev.engram.backup.internal.format;

import dev.engram.backup.internal.crypto.AesGcmSealer;
import dev.engram.backup.internal.crypto.KeyDerivation;
import dev.engram.backup.internal.crypto.KeyWrap;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The encryption offsets and additional data of docs/backup-format.md ("Encryption"), read with a plain
 * little-endian buffer and opened with a plain JDK AES/GCM cipher (not through the code under test), from objects
 * the writers really produced.
 */
class SealedFormatDescriptorTest
{
    private static final byte[] MASTER = new byte[32];
    private static final byte[] REPO = new byte[16];
    private static final byte[] HELLO = "hello, sealed chunk".getBytes(StandardCharsets.UTF_8);

    static
    {
        for (int i = 0; i < 32; i++)
        {
            MASTER[i] = (byte)(i * 7 + 1);
        }
        for (int i = 0; i < 16; i++)
        {
            REPO[i] = (byte)(0xa0 + i);
        }
    }

    @Test
    void sealedObjectOffsetsAndAad() throws Exception
    {
        final AesGcmSealer sealer = new AesGcmSealer(MASTER, REPO);
        final byte[] plain = "a manifest's bytes".getBytes(StandardCharsets.UTF_8);
        final String key = "manifests/0000000000000001";
        final byte[] sealed = sealer.sealObject(key, plain);
        final ByteBuffer b = ByteBuffer.wrap(sealed).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ENGRMSEL", ascii(sealed, 0));
        assertEquals(1, b.getInt(8));
        assertEquals(24 + plain.length + 16, sealed.length);
        final byte[] aad = concat("ENGRMSEL".getBytes(StandardCharsets.US_ASCII), REPO, Arrays.copyOf(sealed, 12),
            key.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(plain, open(Arrays.copyOfRange(sealed, 12, 24), aad, Arrays.copyOfRange(sealed, 24,
            sealed.length)));
        assertArrayEquals(plain, sealer.openObject(key, sealed));
    }

    @Test
    void sealedPackOffsetsAndAad() throws Exception
    {
        final AesGcmSealer sealer = new AesGcmSealer(MASTER, REPO);
        final ChunkId id = ChunkId.of(HELLO);
        final ChunkCodec.Stored stored = ChunkCodec.encode(HELLO, 0, HELLO.length, 3);
        final PackBuilder builder = new PackBuilder();
        builder.add(id, new ChunkCodec.Stored(sealer.sealChunk(id, stored.bytes()), stored.codec()), HELLO.length);
        final PackBuilder.Pack pack = builder.build(99L, sealer);
        final byte[] p = pack.bytes();
        final ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ENGRMPAK", ascii(p, 0));
        assertEquals(1, b.getInt(24), "header flags: sealed");
        assertEquals(crc(p, 0, 28), b.getInt(28));
        final int footer = p.length - 32;
        assertEquals(1, b.getInt(footer + 24), "footer flags: sealed");
        final int table = (int)b.getLong(footer + 8);
        assertEquals(footer, table + 12 + 64 + 16, "the table: nonce, one row, tag");
        assertEquals(crc(p, table, footer), b.getInt(footer + 20));

        // the chunk: nonce ‖ ciphertext ‖ tag at 32, additional data ENGRMCHK ‖ repository id ‖ chunk id
        final int sealedLength = 12 + HELLO.length + 16;
        assertEquals(table, 32 + sealedLength, "HELLO does not shrink: stored as is, sealed");
        final byte[] chunkAad = concat("ENGRMCHK".getBytes(StandardCharsets.US_ASCII), REPO, id.bytes());
        assertArrayEquals(HELLO, open(Arrays.copyOfRange(p, 32, 44), chunkAad, Arrays.copyOfRange(p, 44, table)));

        // the table: additional data ENGRMTBL ‖ repository id ‖ chunk count; the row as in a plain pack
        final byte[] tableAad = concat("ENGRMTBL".getBytes(StandardCharsets.US_ASCII), REPO, new byte[] {1, 0, 0, 0});
        final byte[] rows = open(Arrays.copyOfRange(p, table, table + 12), tableAad,
            Arrays.copyOfRange(p, table + 12, footer));
        final ByteBuffer r = ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(id.bytes(), Arrays.copyOf(rows, 32));
        assertEquals(32, r.getLong(32));
        assertEquals(sealedLength, r.getInt(40));
        assertEquals(HELLO.length, r.getInt(44));
        assertEquals(0, rows[48]);
        assertEquals(crc(p, 32, table), r.getInt(52));

        assertEquals(pack.entries(), PackFormat.read("p", p, sealer));
        // the index object: the plain index object, sealed under its key
        final String indexKey = PackFormat.indexKey(pack.id());
        final byte[] index = PackFormat.encodeIndex(indexKey, p.length, pack.entries(), sealer);
        assertArrayEquals(PackFormat.encodeIndex(p.length, pack.entries()), sealer.openObject(indexKey, index));
        assertEquals(pack.entries(), PackFormat.decodeIndex(indexKey, index, sealer));
    }

    @Test
    void keyObjectOffsetsAndAad() throws Exception
    {
        final byte[] salt = new byte[32];
        Arrays.fill(salt, (byte)3);
        final char[] passphrase = "a passphrase".toCharArray();
        final byte[] kek = KeyDerivation.passphrase(passphrase, salt, 1_000);
        final PBEKeySpec spec = new PBEKeySpec("a passphrase".toCharArray(), salt, 1_000, 256);
        assertArrayEquals(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(), kek);

        final byte[] k = KeyWrap.wrap(kek, MASTER, REPO, KeyObject.PASSPHRASE, 1_000, salt, 77L).encode();
        final ByteBuffer b = ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(128, k.length);
        assertEquals("ENGRMKEY", ascii(k, 0));
        assertEquals(1, b.getInt(8));
        assertEquals(1, b.getInt(12));
        assertEquals(1_000, b.getInt(16));
        assertEquals(0, b.getInt(20));
        assertArrayEquals(salt, Arrays.copyOfRange(k, 24, 56));
        assertEquals(77L, b.getLong(56));
        assertEquals(crc(k, 0, 124), b.getInt(124));
        final byte[] aad = concat("ENGRMKEY".getBytes(StandardCharsets.US_ASCII), REPO, Arrays.copyOf(k, 64));
        final byte[] master = openWith(kek, Arrays.copyOfRange(k, 64, 76), aad, Arrays.copyOfRange(k, 76, 124));
        assertArrayEquals(MASTER, master);
        assertArrayEquals(MASTER, KeyWrap.unwrap(kek, KeyObject.decode("keys/x", k), REPO));
    }

    @Test
    void keyFileDerivationIsHkdfSha256() throws Exception
    {
        final byte[] material = "thirty-two bytes of key material".getBytes(StandardCharsets.US_ASCII);
        final byte[] salt = new byte[32];
        Arrays.fill(salt, (byte)9);
        final javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        final byte[] prk = mac.doFinal(material);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        final byte[] okm = mac.doFinal(concat("engram backup key file v1".getBytes(StandardCharsets.US_ASCII),
            new byte[] {1}));
        assertArrayEquals(okm, KeyDerivation.keyFile(material, salt));
    }

    @Test
    void configFlagsBitZeroSaysEncrypted() throws Exception
    {
        final byte[] c = RepositoryConfig.create(5L, true).encode();
        assertEquals(1, ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).getInt(12));
        assertEquals(true, RepositoryConfig.decode(c).encrypted());
        final byte[] plain = RepositoryConfig.create(5L).encode();
        assertEquals(0, plain[12]);
        assertEquals(false, RepositoryConfig.decode(plain).encrypted());
    }

    private static byte[] open(final byte[] nonce, final byte[] aad, final byte[] ciphertextAndTag) throws Exception
    {
        return openWith(MASTER, nonce, aad, ciphertextAndTag);
    }

    private static byte[] openWith(final byte[] key, final byte[] nonce, final byte[] aad,
        final byte[] ciphertextAndTag) throws Exception
    {
        final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(ciphertextAndTag);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
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
}
