package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Version 2 of the user context (see {@link UserContextV1}): adds {@code preferences} (initialised with
 * one entry, so a test can tell "initialised" from "empty") and {@code learningRate}, removes
 * {@code loginCount}.
 */
public class UserContextV2 extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    static final double DEFAULT_LEARNING_RATE = 0.1;

    String userId;
    Map<String, Double> skillLevels = new LinkedHashMap<>();
    Map<String, String> preferences = new LinkedHashMap<>(Map.of("pace", "normal"));
    String currentSession;
    double learningRate = DEFAULT_LEARNING_RATE;

    UserContextV2 userId(final String userId)
    {
        this.userId = userId;
        return this;
    }

    UserContextV2 skill(final String domain, final double level)
    {
        skillLevels.put(domain, level);
        return this;
    }

    UserContextV2 preference(final String name, final String value)
    {
        preferences.put(name, value);
        return this;
    }

    UserContextV2 currentSession(final String currentSession)
    {
        this.currentSession = currentSession;
        return this;
    }

    UserContextV2 learningRate(final double learningRate)
    {
        this.learningRate = learningRate;
        return this;
    }
}
