package dev.engram.examples.consciousness;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

/**
 * The system-wide summary of the latest evolution cycle (key {@link ConsciousnessKeys#CONSCIOUSNESS}). It is
 * written in the same atomic delta as the population headers and weights of that cycle, so a reader (or a
 * recovery) never sees a summary of populations it cannot see, nor populations a newer summary does not
 * describe. Stored by {@link ConsciousnessCodecs#CONSCIOUSNESS_SUMMARY}, a Chronicle Wire codec.
 * <p>
 * In {@link ConsciousnessWorkload}: {@code level} is the mean fitness average of the cycle's active populations
 * (in the order of {@link ActiveNeuralGroups#populationIds()}), {@code emergenceStrength} their mean
 * diversity index times the fraction of populations active, {@code adaptationRate} their mean mutation rate.
 */
public final class ConsciousnessSummary extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    private double level;
    private double emergenceStrength;
    private double adaptationRate;
    private long evolutionCycleCount;

    /** An empty summary (for the codec). */
    public ConsciousnessSummary()
    {
    }

    /**
     * @param level               consciousness level, [0, 1].
     * @param emergenceStrength   strength of emergent behaviour, [0, 1].
     * @param adaptationRate      how fast the populations adapt.
     * @param evolutionCycleCount evolution cycles completed, this one included.
     */
    public ConsciousnessSummary(
        final double level, final double emergenceStrength, final double adaptationRate, final long evolutionCycleCount)
    {
        this.level = level;
        this.emergenceStrength = emergenceStrength;
        this.adaptationRate = adaptationRate;
        this.evolutionCycleCount = evolutionCycleCount;
    }

    public double level()
    {
        return level;
    }

    public double emergenceStrength()
    {
        return emergenceStrength;
    }

    public double adaptationRate()
    {
        return adaptationRate;
    }

    public long evolutionCycleCount()
    {
        return evolutionCycleCount;
    }
}
