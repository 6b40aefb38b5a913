package dev.engram.examples.consciousness;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the system knows about one user (key {@link ConsciousnessKeys#user(int)}): a skill level per domain,
 * learning preferences, the current session (or none) and the topics seen lately. Stored by
 * {@link ConsciousnessCodecs#USER_CONTEXT}, a Chronicle Wire codec: fields may be added or removed in later
 * releases without a schema change (see docs/typed-values.md).
 * <p>
 * Maps keep insertion order, so the same context always encodes to the same bytes. Mutable, not thread-safe.
 */
public final class UserContext extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    private String userId;
    private Map<String, Double> skillLevels = new LinkedHashMap<>();
    private Map<String, String> learningPreferences = new LinkedHashMap<>();
    private UserSession currentSession;
    private List<String> recentTopics = new ArrayList<>();
    private long lastActiveMs;

    /** An empty context (for the codec). */
    public UserContext()
    {
    }

    /**
     * @param userId the user's id.
     */
    public UserContext(final String userId)
    {
        this.userId = userId;
    }

    public String userId()
    {
        return userId;
    }

    /**
     * @param domain a skill domain, e.g. {@code "reasoning"}.
     * @return the level in [0, 1], or NaN if the user has none in that domain.
     */
    public double skillLevel(final String domain)
    {
        final Double level = skillLevels.get(domain);
        return level == null ? Double.NaN : level;
    }

    /** @return skill level per domain, read-only. */
    public Map<String, Double> skillLevels()
    {
        return Collections.unmodifiableMap(skillLevels);
    }

    /** @param domain a skill domain. @param level in [0, 1]. @return this. */
    public UserContext skillLevel(final String domain, final double level)
    {
        skillLevels.put(domain, level);
        return this;
    }

    /** @return the user's learning preferences (e.g. {@code pace=fast}), read-only. */
    public Map<String, String> learningPreferences()
    {
        return Collections.unmodifiableMap(learningPreferences);
    }

    /** @param name a preference, e.g. {@code "pace"}. @param value its value. @return this. */
    public UserContext learningPreference(final String name, final String value)
    {
        learningPreferences.put(name, value);
        return this;
    }

    /** @return the current session, or null when the user has none. */
    public UserSession currentSession()
    {
        return currentSession;
    }

    /** @param session the current session, or null for none. @return this. */
    public UserContext currentSession(final UserSession session)
    {
        this.currentSession = session;
        return this;
    }

    /** @return topics of the latest sessions, oldest first, read-only. */
    public List<String> recentTopics()
    {
        return Collections.unmodifiableList(recentTopics);
    }

    /** @param topic appended to the recent topics. @return this. */
    public UserContext recentTopic(final String topic)
    {
        recentTopics.add(topic);
        return this;
    }

    /** @return epoch milliseconds of the user's last activity. */
    public long lastActiveMs()
    {
        return lastActiveMs;
    }

    /** @param lastActiveMs epoch milliseconds. @return this. */
    public UserContext lastActiveMs(final long lastActiveMs)
    {
        this.lastActiveMs = lastActiveMs;
        return this;
    }
}
