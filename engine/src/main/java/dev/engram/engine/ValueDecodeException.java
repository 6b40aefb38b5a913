package dev.engram.engine;

/**
 * A stored value's envelope is valid but its codec (or a migration step) could not read the payload.
 * The cause says why.
 */
public final class ValueDecodeException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    ValueDecodeException(
        final CharSequence key, final Codec<?> codec, final String what, final int schemaVersion, final RuntimeException cause)
    {
        super(key, "value key=" + key + " codec id=" + codec.id() + " name=" + codec.name() + " schema version=" +
            schemaVersion + ": " + what + " failed: " + cause.getMessage(), cause);
    }
}
