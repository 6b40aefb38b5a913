package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Version 1 of the workload's user context, as the first release of an application would have it.
 * {@link UserContextV2} is the same record one release later: the two classes stand for one record
 * type in two builds of the application, so they are never registered in the same registry.
 */
public class UserContextV1 extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    String userId;
    Map<String, Double> skillLevels = new LinkedHashMap<>();
    String currentSession;
    int loginCount;

    UserContextV1 userId(final String userId)
    {
        this.userId = userId;
        return this;
    }

    UserContextV1 skill(final String domain, final double level)
    {
        skillLevels.put(domain, level);
        return this;
    }

    UserContextV1 currentSession(final String currentSession)
    {
        this.currentSession = currentSession;
        return this;
    }

    UserContextV1 loginCount(final int loginCount)
    {
        this.loginCount = loginCount;
        return this;
    }
}
