package dev.engram.engine;

/**
 * A stored value cannot be read as a typed value. Every subclass names the key and says what to do.
 */
public class TypedValueException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    protected TypedValueException(final CharSequence key, final String message, final Throwable cause)
    {
        super(message, cause);
        this.key = String.valueOf(key);
    }

    /**
     * @return the key of the value that could not be read.
     */
    public String key()
    {
        return key;
    }
}
