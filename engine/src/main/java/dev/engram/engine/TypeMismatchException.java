package dev.engram.engine;

/**
 * A stored value was written by a codec for another type than the one the caller asked for.
 */
public final class TypeMismatchException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    TypeMismatchException(final CharSequence key, final Codec<?> codec, final Class<?> requestedType)
    {
        super(key, "value key=" + key + " holds codec id=" + codec.id() + " name=" + codec.name() +
            " type=" + codec.type().getName() + ", requested type=" + requestedType.getName(), null);
    }
}
