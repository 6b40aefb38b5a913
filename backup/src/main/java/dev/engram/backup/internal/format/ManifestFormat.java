package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.engram.backup.internal.format.ManifestDescriptor.*;

/**
 * Writes and reads manifests ({@link ManifestDescriptor}).
 */
public final class ManifestFormat
{
    public static final String MANIFESTS = "manifests/";

    private ManifestFormat()
    {
    }

    /** The key of a backup's manifest. */
    public static String key(final long backupId)
    {
        return MANIFESTS + String.format("%016x", backupId);
    }

    /** The backup id a manifest key names. */
    public static long idOf(final String key)
    {
        final String hex = key.substring(MANIFESTS.length());
        if (!key.startsWith(MANIFESTS) || hex.length() != 16)
        {
            throw new IllegalArgumentException("not a manifest key: " + key);
        }
        return Long.parseUnsignedLong(hex, 16);
    }

    public static byte[] encode(final Manifest manifest)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] header = new byte[HEADER_LENGTH];
        Bytes.putAscii(header, 0, MAGIC);
        Bytes.putInt(header, VERSION_OFFSET, FORMAT_VERSION);
        Bytes.putLong(header, BACKUP_ID_OFFSET, manifest.backupId());
        Bytes.putLong(header, PARENT_ID_OFFSET, manifest.parentId());
        Bytes.putInt(header, CHAIN_POSITION_OFFSET, manifest.chainPosition());
        Bytes.putInt(header, FILE_COUNT_OFFSET, manifest.files().size());
        Bytes.putLong(header, STATE_VERSION_OFFSET, manifest.stateVersion());
        Bytes.putLong(header, CREATED_OFFSET, manifest.createdMillis());
        Bytes.putLong(header, CHUNK_COUNT_OFFSET, manifest.chunkIds().size());
        Bytes.putLong(header, RAW_BYTES_OFFSET, manifest.rawBytes());
        Bytes.putLong(header, BYTES_WRITTEN_OFFSET, manifest.bytesWritten());
        System.arraycopy(manifest.merkleRoot(), 0, header, MERKLE_ROOT_OFFSET, 32);
        Bytes.putInt(header, HEADER_CRC_OFFSET, Bytes.crc32c(header, 0, HEADER_CRC_OFFSET));
        out.writeBytes(header);
        for (final Manifest.File file : manifest.files())
        {
            final byte[] path = file.path().getBytes(StandardCharsets.UTF_8);
            if (path.length == 0 || path.length > 0xffff)
            {
                throw new IllegalArgumentException("path of 1..65535 UTF-8 bytes: " + file.path());
            }
            final byte[] fixed = new byte[FILE_PATH_OFFSET];
            Bytes.putShort(fixed, FILE_PATH_LENGTH_OFFSET, path.length);
            fixed[FILE_FLAGS_OFFSET] = (byte)file.flags();
            Bytes.putLong(fixed, FILE_LENGTH_OFFSET, file.length());
            Bytes.putInt(fixed, FILE_CHUNK_COUNT_OFFSET, file.chunks().size());
            out.writeBytes(fixed);
            out.writeBytes(path);
            final byte[] ref = new byte[REF_LENGTH];
            for (final Manifest.ChunkRef chunk : file.chunks())
            {
                chunk.id().write(ref, 0);
                Bytes.putInt(ref, REF_RAW_LENGTH_OFFSET, chunk.rawLength());
                out.writeBytes(ref);
            }
        }
        final MessageDigest digest = ChunkId.sha256();
        final byte[] body = out.toByteArray();
        out.writeBytes(digest.digest(body));
        return out.toByteArray();
    }

    /**
     * A manifest's content, with every check: header magic, version and CRC; the trailing SHA-256; each file's
     * shape and chunk lengths; the counts and the Merkle root of the header against the files.
     */
    public static Manifest decode(final String key, final byte[] b) throws RepositoryCorruptionException
    {
        if (b.length < HEADER_LENGTH + TRAILER_LENGTH || !Bytes.hasAscii(b, 0, MAGIC))
        {
            throw new RepositoryCorruptionException(key, 0, "no manifest header (magic " + MAGIC + ")");
        }
        if (Bytes.getInt(b, HEADER_CRC_OFFSET) != Bytes.crc32c(b, 0, HEADER_CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, 0, "manifest header CRC32C mismatch");
        }
        if (Bytes.getInt(b, VERSION_OFFSET) != FORMAT_VERSION)
        {
            throw new RepositoryCorruptionException(key, VERSION_OFFSET, "manifest format version " +
                Bytes.getInt(b, VERSION_OFFSET) + " is not " + FORMAT_VERSION + " (written by a newer Engram?)");
        }
        final int end = b.length - TRAILER_LENGTH;
        final MessageDigest digest = ChunkId.sha256();
        digest.update(b, 0, end);
        if (!Arrays.equals(digest.digest(), Arrays.copyOfRange(b, end, b.length)))
        {
            throw new RepositoryCorruptionException(key, end, "manifest SHA-256 mismatch (damaged or cut short)");
        }
        final long fileCount = Bytes.getUnsignedInt(b, FILE_COUNT_OFFSET);
        final List<Manifest.File> files = new ArrayList<>();
        int at = HEADER_LENGTH;
        for (long f = 0; f < fileCount; f++)
        {
            if (at + FILE_PATH_OFFSET > end)
            {
                throw new RepositoryCorruptionException(key, at, "file " + f + " reaches past the files");
            }
            final int pathLength = Bytes.getUnsignedShort(b, at + FILE_PATH_LENGTH_OFFSET);
            final int flags = b[at + FILE_FLAGS_OFFSET] & 0xff;
            final long length = Bytes.getLong(b, at + FILE_LENGTH_OFFSET);
            final long chunks = Bytes.getUnsignedInt(b, at + FILE_CHUNK_COUNT_OFFSET);
            final long fileEnd = at + FILE_PATH_OFFSET + (long)pathLength + chunks * REF_LENGTH;
            if (pathLength == 0 || fileEnd > end || length < 0 || (flags & ~FILE_FLAG_CHECKPOINT) != 0)
            {
                throw new RepositoryCorruptionException(key, at, "file " + f + " is not valid");
            }
            final String path = new String(b, at + FILE_PATH_OFFSET, pathLength, StandardCharsets.UTF_8);
            final List<Manifest.ChunkRef> refs = new ArrayList<>((int)chunks);
            long sum = 0;
            int ref = at + FILE_PATH_OFFSET + pathLength;
            for (long c = 0; c < chunks; c++, ref += REF_LENGTH)
            {
                final long raw = Bytes.getUnsignedInt(b, ref + REF_RAW_LENGTH_OFFSET);
                sum += raw;
                refs.add(new Manifest.ChunkRef(ChunkId.read(b, ref), (int)raw));
            }
            if (sum != length)
            {
                throw new RepositoryCorruptionException(key, at, "the chunks of " + path + " add up to " + sum +
                    " bytes, not its length " + length);
            }
            files.add(new Manifest.File(path, flags, length, refs));
            at = (int)fileEnd;
        }
        if (at != end)
        {
            throw new RepositoryCorruptionException(key, at, "bytes after the last file");
        }
        final Manifest manifest = new Manifest(Bytes.getLong(b, BACKUP_ID_OFFSET), Bytes.getLong(b, PARENT_ID_OFFSET),
            Bytes.getInt(b, CHAIN_POSITION_OFFSET), Bytes.getLong(b, STATE_VERSION_OFFSET),
            Bytes.getLong(b, CREATED_OFFSET), Bytes.getLong(b, BYTES_WRITTEN_OFFSET), files);
        if (manifest.chunkIds().size() != Bytes.getLong(b, CHUNK_COUNT_OFFSET) ||
            manifest.rawBytes() != Bytes.getLong(b, RAW_BYTES_OFFSET))
        {
            throw new RepositoryCorruptionException(key, CHUNK_COUNT_OFFSET, "header counts differ from the files");
        }
        if (!Arrays.equals(manifest.merkleRoot(), Arrays.copyOfRange(b, MERKLE_ROOT_OFFSET, MERKLE_ROOT_OFFSET + 32)))
        {
            throw new RepositoryCorruptionException(key, MERKLE_ROOT_OFFSET, "Merkle root differs from the chunk ids");
        }
        if (manifest.backupId() < 1 || manifest.backupId() != idOf(key))
        {
            throw new RepositoryCorruptionException(key, BACKUP_ID_OFFSET, "backup id " + manifest.backupId() +
                " does not match the key");
        }
        return manifest;
    }

    /** The manifest as stored under its key: sealed in an encrypted repository. */
    public static byte[] encode(final Manifest manifest, final Sealer sealer)
    {
        return sealer.sealObject(key(manifest.backupId()), encode(manifest));
    }

    /** A manifest as stored under {@code key} (opened in an encrypted repository), checked as {@link #decode} does. */
    public static Manifest read(final String key, final byte[] stored, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        return decode(key, sealer.openObject(key, stored));
    }

    /** The Merkle root a manifest's header records (no other check). */
    public static byte[] recordedRoot(final byte[] manifest)
    {
        return Arrays.copyOfRange(manifest, MERKLE_ROOT_OFFSET, MERKLE_ROOT_OFFSET + 32);
    }
}
