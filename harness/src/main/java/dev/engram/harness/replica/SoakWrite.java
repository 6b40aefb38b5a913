package dev.engram.harness.replica;

import dev.engram.journal.Delta;
import dev.engram.journal.OpType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What one write of the replica soak holds, derived from its key alone, so that the checker knows the exact content
 * an acknowledged write must have at its version without being told: {@code PUT <key> value(key)} then
 * {@code PUT last <key>}. Keys are {@code w/<node>.<pid>/<writer>/<sequence>}, unique over a soak (the pid changes
 * with every start of a node). A version's content is compared by its {@link #digest} over the frame's ops.
 */
public final class SoakWrite
{
    /** Every soak write's key starts with this. */
    public static final String PREFIX = "w/";
    /** The key every write sets to its own key (its history is every version). */
    public static final String LAST = "last";

    private SoakWrite()
    {
    }

    /** @return the key of a writer's {@code sequence}-th write in the node incarnation {@code incarnation}. */
    public static String key(final String incarnation, final int writer, final long sequence)
    {
        return PREFIX + incarnation + "/" + writer + "/" + sequence;
    }

    /** @return the value a write puts at its key: 24 to 151 bytes made from the key. */
    public static byte[] value(final String key)
    {
        final byte[] seed = key.getBytes(StandardCharsets.UTF_8);
        final byte[] value = new byte[24 + Math.floorMod(key.hashCode(), 128)];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)(seed[i % seed.length] + i / seed.length);
        }
        return value;
    }

    /** @return {@code delta} (cleared) holding the write of {@code key}. */
    public static Delta fill(final Delta delta, final String key)
    {
        delta.clear();
        return delta.put(key, value(key)).put(LAST, key.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the digest of the ops the write of {@code key} holds (what its journal frame must hold). */
    public static long digest(final String key)
    {
        final Digest digest = new Digest();
        digest.op(OpType.PUT, key, 0, value(key));
        digest.op(OpType.PUT, LAST, 0, key.getBytes(StandardCharsets.UTF_8));
        return digest.value();
    }

    /** A 64-bit digest (the first 8 bytes of SHA-256) over a version's ops, in their order. */
    public static final class Digest
    {
        private final MessageDigest sha;

        public Digest()
        {
            try
            {
                sha = MessageDigest.getInstance("SHA-256");
            }
            catch (final NoSuchAlgorithmException ex)
            {
                throw new IllegalStateException("no SHA-256 in this JVM", ex);
            }
        }

        /** Add one op: its type, key, patch offset (0 unless PATCH) and data (empty for DELETE). */
        public void op(final OpType type, final String key, final long patchOffset, final byte[] data)
        {
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            sha.update(type.code());
            lengthAnd(keyBytes);
            for (int shift = 0; shift < 64; shift += 8)
            {
                sha.update((byte)(patchOffset >>> shift));
            }
            lengthAnd(data);
        }

        private void lengthAnd(final byte[] bytes)
        {
            final int n = bytes.length;
            sha.update(new byte[] {(byte)n, (byte)(n >>> 8), (byte)(n >>> 16), (byte)(n >>> 24)});
            sha.update(bytes);
        }

        /** @return the digest of the ops added (and resets it). */
        public long value()
        {
            final byte[] d = sha.digest();
            long v = 0;
            for (int i = 0; i < 8; i++)
            {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v;
        }
    }
}
