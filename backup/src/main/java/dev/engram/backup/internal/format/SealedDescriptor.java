package dev.engram.backup.internal.format;

/**
 * Layout of the sealed (AES-256-GCM) pieces of an encrypted repository (docs/backup-format.md, "Encryption").
 * <pre>
 *   sealed piece (a chunk in a pack, a pack's table):   nonce (12) ‖ ciphertext ‖ tag (16)
 *
 *   sealed object (manifest, index object):
 *   0  8  magic ENGRMSEL
 *   8  4  format version = 1
 *   12 12 nonce
 *   24 n  ciphertext of the plain object (the v1 manifest or index object, byte for byte)
 *   24+n 16 GCM tag
 *
 *   additional authenticated data = tag (8 ASCII) ‖ repository id (16) ‖ name
 *     sealed object   ENGRMSEL  name = bytes [0, 12) of the object ‖ its key in UTF-8
 *     chunk           ENGRMCHK  name = chunk id (32)
 *     pack table      ENGRMTBL  name = chunk count (u32)
 *     key object      ENGRMKEY  name = key object bytes [0, 64)
 * </pre>
 */
public final class SealedDescriptor
{
    public static final String MAGIC = "ENGRMSEL";
    public static final int FORMAT_VERSION = 1;
    public static final int VERSION_OFFSET = 8;
    public static final int NONCE_OFFSET = 12;
    public static final int HEADER_LENGTH = 12;
    public static final int CIPHERTEXT_OFFSET = 24;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    public static final int KEY_LENGTH = 32;

    public static final String AAD_OBJECT = "ENGRMSEL";
    public static final String AAD_CHUNK = "ENGRMCHK";
    public static final String AAD_TABLE = "ENGRMTBL";
    public static final String AAD_KEY = "ENGRMKEY";

    private SealedDescriptor()
    {
    }
}
