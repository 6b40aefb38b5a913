package dev.engram.engine;

/**
 * Layout of the value envelope, format version 1: the header in front of every value stored through
 * the typed layer ({@link TypedValues}). All integers are little-endian; the payload follows at once.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  Magic (0xE7) | Format Version|    Codec Id (unsigned short)  |  0
 *  +---------------+---------------+-------------------------------+
 *  | Schema Version (unsigned short)|         Reserved (0)         |  4
 *  +-------------------------------+-------------------------------+
 *  |              Payload (the codec's bytes, to the end)         ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The envelope has no length field: the stored value's length is the envelope plus the payload. The
 * codec id says how the payload is encoded ({@link Codec#id()}); the schema version says which version
 * of the record's shape wrote it ({@link Codec#currentSchemaVersion()}). The format version is this
 * header's own version: a reader refuses a newer one rather than guess.
 */
public final class ValueEnvelopeDescriptor
{
    /** First byte of every enveloped value. */
    public static final byte MAGIC = (byte)0xE7;

    /** The only envelope format this code writes and the newest it reads. */
    public static final byte FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 1;
    public static final int CODEC_ID_OFFSET = 2;
    public static final int SCHEMA_VERSION_OFFSET = 4;
    public static final int RESERVED_OFFSET = 6;
    public static final int PAYLOAD_OFFSET = 8;
    public static final int HEADER_LENGTH = 8;

    /** Codec ids and schema versions are unsigned shorts; 0 is never valid for either. */
    public static final int MAX_CODEC_ID = 0xFFFF;
    public static final int MAX_SCHEMA_VERSION = 0xFFFF;

    private ValueEnvelopeDescriptor()
    {
    }
}
