package dev.engram.recovery;

import dev.engram.journal.internal.Utf8;
import org.agrona.DirectBuffer;

/**
 * A read of a quarantined key: a journal frame that changed it could not be applied (for example a PATCH past
 * the largest value, written by an engine that did not check it), so its current value is unknown and is not
 * served. The rest of the store is unaffected. A later PUT or DELETE of the key replaces it and ends the
 * quarantine; a PATCH of it cannot (it needs the unknown value) and leaves it quarantined.
 * {@link StateStore#quarantinedKeys()} lists the keys quarantined since the store opened.
 */
public final class QuarantinedKeyException extends IllegalStateException
{
    private final String key;
    private final String reason;

    public QuarantinedKeyException(final String key, final String reason)
    {
        super("key '" + key + "' is quarantined: " + reason + ". Its value is unknown and is not served; write the key " +
            "again (put or delete) to replace it. The rest of the state is unaffected.");
        this.key = key;
        this.reason = reason;
    }

    static QuarantinedKeyException of(final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer reason, final int reasonLength)
    {
        return new QuarantinedKeyException(Utf8.decode(key, keyOffset, keyLength), Utf8.decode(reason, 0, reasonLength));
    }

    /**
     * @return the quarantined key.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return why it is quarantined: the frame's version, what could not be applied, and where the frame is.
     */
    public String reason()
    {
        return reason;
    }
}
