package dev.engram.journal;

/**
 * The kinds of op a delta holds, with their on-disk codes (see {@link DeltaFrameDescriptor}).
 */
public enum OpType
{
    /** Replace the whole value of a key (creating it if absent). */
    PUT((byte)1),
    /** Remove a key. */
    DELETE((byte)2),
    /** Write bytes at an offset inside an existing value, growing it if the patch ends past its end. */
    PATCH((byte)3);

    private static final OpType[] BY_CODE = { null, PUT, DELETE, PATCH };

    private final byte code;

    OpType(final byte code)
    {
        this.code = code;
    }

    /**
     * @return the byte stored in a frame.
     */
    public byte code()
    {
        return code;
    }

    /**
     * @param code a stored op code.
     * @return the op type, or null when the code is not a known op.
     */
    public static OpType fromCode(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
