package dev.engram.examples.consciousness;

/**
 * The keys of the example's state. Typed values live under every key (none holds raw bytes), so
 * {@code Engram.migrate} can scan the whole key space.
 * <pre>
 *   population/&lt;id&gt;           PopulationHeader       (PopulationHeaderCodec, id 256)
 *   population/&lt;id&gt;/weights   float[] weights        (ConsciousnessCodecs.WEIGHTS, id 257)
 *   groups/active               ActiveNeuralGroups     (id 303)
 *   user/&lt;id&gt;                 UserContext            (id 300)
 *   metrics/system              SystemMetrics          (id 301)
 *   consciousness               ConsciousnessSummary   (id 302)
 * </pre>
 */
public final class ConsciousnessKeys
{
    /** Prefix of population headers and weights. */
    public static final String POPULATION_PREFIX = "population/";
    /** Suffix of a population's weights key. */
    public static final String WEIGHTS_SUFFIX = "/weights";
    /** Prefix of user contexts. */
    public static final String USER_PREFIX = "user/";
    /** The latest system metrics sample. */
    public static final String SYSTEM_METRICS = "metrics/system";
    /** The consciousness summary of the latest evolution cycle. */
    public static final String CONSCIOUSNESS = "consciousness";
    /** The populations active in the latest evolution cycle. */
    public static final String ACTIVE_GROUPS = "groups/active";

    private ConsciousnessKeys()
    {
    }

    /** @param populationId a population id. @return the key of its header. */
    public static String populationHeader(final int populationId)
    {
        return POPULATION_PREFIX + populationId;
    }

    /** @param populationId a population id. @return the key of its weights. */
    public static String populationWeights(final int populationId)
    {
        return POPULATION_PREFIX + populationId + WEIGHTS_SUFFIX;
    }

    /** @param key any key. @return true if it names a population header (not its weights). */
    public static boolean isPopulationHeader(final String key)
    {
        return key.startsWith(POPULATION_PREFIX) && !key.endsWith(WEIGHTS_SUFFIX);
    }

    /** @param userId a user id. @return the key of the user's context. */
    public static String user(final int userId)
    {
        return USER_PREFIX + userId;
    }
}
