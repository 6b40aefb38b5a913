package dev.engram.examples.consciousness;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

/**
 * A user's current learning session, held inside a {@link UserContext} (null there when the user has none).
 * Stored as a nested Chronicle Wire object, so its fields are named in the stored bytes too.
 */
public final class UserSession extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    private String sessionId;
    private String topic;
    private long startedMs;

    /** An empty session (for the codec); use {@link #UserSession(String, String, long)}. */
    public UserSession()
    {
    }

    /**
     * @param sessionId unique id of the session.
     * @param topic     what the user is learning in it.
     * @param startedMs epoch milliseconds it started.
     */
    public UserSession(final String sessionId, final String topic, final long startedMs)
    {
        this.sessionId = sessionId;
        this.topic = topic;
        this.startedMs = startedMs;
    }

    public String sessionId()
    {
        return sessionId;
    }

    public String topic()
    {
        return topic;
    }

    public long startedMs()
    {
        return startedMs;
    }
}
