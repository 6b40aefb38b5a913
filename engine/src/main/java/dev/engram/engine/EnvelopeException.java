package dev.engram.engine;

/**
 * A stored value has no valid {@link ValueEnvelope} ({@link #check()} says why): it was not written by
 * the typed layer, or it was written by a newer Engram whose envelope format this code does not know
 * ({@link ValueEnvelope.Check#NEWER_FORMAT_VERSION}).
 */
public final class EnvelopeException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    private final ValueEnvelope.Check check;

    EnvelopeException(final CharSequence key, final ValueEnvelope envelope, final ValueEnvelope.Check check)
    {
        super(key, message(key, envelope, check), null);
        this.check = check;
    }

    /**
     * @return why the envelope was refused.
     */
    public ValueEnvelope.Check check()
    {
        return check;
    }

    private static String message(final CharSequence key, final ValueEnvelope envelope, final ValueEnvelope.Check check)
    {
        if (check == ValueEnvelope.Check.NEWER_FORMAT_VERSION)
        {
            return "value key=" + key + " has envelope format version=" + envelope.formatVersion() +
                ", this code knows up to " + ValueEnvelopeDescriptor.FORMAT_VERSION +
                ": it was written by a newer Engram; upgrade before reading it";
        }
        final StringBuilder message = new StringBuilder()
            .append("value key=").append(key).append(" has no valid value envelope: ").append(check.description())
            .append(" (length=").append(envelope.length());
        if (envelope.length() > 0)
        {
            message.append(" firstByte=0x").append(Integer.toHexString(envelope.firstByte()));
        }
        if (envelope.length() >= ValueEnvelopeDescriptor.HEADER_LENGTH)
        {
            message.append(" formatVersion=").append(envelope.formatVersion())
                .append(" codecId=").append(envelope.codecId())
                .append(" schemaVersion=").append(envelope.schemaVersion());
        }
        return message.append(
            "); a value written as raw bytes must be read as raw bytes, not as a typed value").toString();
    }
}
