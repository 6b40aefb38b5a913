package dev.engram.examples.consciousness;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The populations that evolved in the latest evolution cycle (key {@link ConsciousnessKeys#ACTIVE_GROUPS}),
 * ascending ids; written in the same delta as they are. Stored by {@link ConsciousnessCodecs#ACTIVE_GROUPS},
 * a Chronicle Wire codec.
 */
public final class ActiveNeuralGroups extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    private long evolutionCycle;
    private List<Integer> populationIds = new ArrayList<>();

    /** An empty list (for the codec). */
    public ActiveNeuralGroups()
    {
    }

    /**
     * @param evolutionCycle the cycle they were active in.
     * @param populationIds  their ids.
     */
    public ActiveNeuralGroups(final long evolutionCycle, final List<Integer> populationIds)
    {
        this.evolutionCycle = evolutionCycle;
        this.populationIds = new ArrayList<>(populationIds);
    }

    public long evolutionCycle()
    {
        return evolutionCycle;
    }

    /** @return population ids, read-only. */
    public List<Integer> populationIds()
    {
        return Collections.unmodifiableList(populationIds);
    }
}
