package dev.engram.engine;

/**
 * A stored value names a codec id that is not registered in the {@link CodecRegistry}.
 */
public final class UnknownCodecException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    private final int codecId;

    UnknownCodecException(final CharSequence key, final int codecId, final String registeredIds)
    {
        super(key, "value key=" + key + " was written by codec id=" + codecId +
            ", which is not registered (registered ids=" + registeredIds + "): register the codec that wrote it" +
            " before reading the value", null);
        this.codecId = codecId;
    }

    /**
     * @return the codec id the value's envelope names.
     */
    public int codecId()
    {
        return codecId;
    }
}
