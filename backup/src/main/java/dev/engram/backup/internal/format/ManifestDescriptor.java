package dev.engram.backup.internal.format;

/**
 * Layout of a manifest, {@code manifests/<backup id, 16 hex digits>}: one backup, complete (every file and every
 * chunk it needs, not a difference from its parent). All integers little-endian.
 * <pre>
 *   [0, 128)                 header
 *   [128, length − 32)       files, back to back, in path order
 *   [length − 32, length)    SHA-256 of [0, length − 32)
 *
 *   header
 *   0   8  magic ENGRMBKM
 *   8   4  format version = 1
 *   12  4  flags, 0
 *   16  8  backup id (≥ 1)
 *   24  8  parent backup id (0: none)
 *   32  4  chain position: 0 without a parent, else the parent's + 1
 *   36  4  file count
 *   40  8  state version: the journal version the backed-up store held
 *   48  8  created, epoch ms
 *   56  8  chunk reference count (over all files)
 *   64  8  raw bytes (sum of the files' lengths)
 *   72  8  bytes written: stored bytes of the packs this backup added
 *   80  32 Merkle root over the chunk ids in file order (MerkleRoot)
 *   112 12 reserved, 0
 *   124 4  CRC32C of [0, 124)
 *
 *   file                                   chunk reference (36 bytes)
 *   0  2  path length, u16 (UTF-8 bytes)   0  32 chunk id
 *   2  1  flags: bit 0 = checkpoint file   32 4  raw length, u32
 *         chunked at its blocks
 *   3  1  reserved, 0
 *   4  8  file length
 *   12 4  chunk count
 *   16 …  path, UTF-8, '/'-separated, relative to the store directory
 *   …     chunk count × chunk reference
 * </pre>
 * The chunks of a file, concatenated in order, are the file: their raw lengths add up to its length.
 */
public final class ManifestDescriptor
{
    public static final String MAGIC = "ENGRMBKM";
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_LENGTH = 128;
    public static final int VERSION_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int BACKUP_ID_OFFSET = 16;
    public static final int PARENT_ID_OFFSET = 24;
    public static final int CHAIN_POSITION_OFFSET = 32;
    public static final int FILE_COUNT_OFFSET = 36;
    public static final int STATE_VERSION_OFFSET = 40;
    public static final int CREATED_OFFSET = 48;
    public static final int CHUNK_COUNT_OFFSET = 56;
    public static final int RAW_BYTES_OFFSET = 64;
    public static final int BYTES_WRITTEN_OFFSET = 72;
    public static final int MERKLE_ROOT_OFFSET = 80;
    public static final int HEADER_CRC_OFFSET = 124;
    public static final int TRAILER_LENGTH = 32;

    public static final int FILE_PATH_LENGTH_OFFSET = 0;
    public static final int FILE_FLAGS_OFFSET = 2;
    public static final int FILE_LENGTH_OFFSET = 4;
    public static final int FILE_CHUNK_COUNT_OFFSET = 12;
    public static final int FILE_PATH_OFFSET = 16;
    public static final int FILE_FLAG_CHECKPOINT = 1;

    public static final int REF_LENGTH = 36;
    public static final int REF_RAW_LENGTH_OFFSET = 32;

    private ManifestDescriptor()
    {
    }
}
