package dev.engram.engine;

/**
 * Test fixture of the engine's typed-value tests: the header of a neural population (key {@code population/<id>}
 * of the reference workload, see docs/workload.md; the example world's own copy lives in the engram-examples module,
 * package {@code dev.engram.examples.consciousness}), schema version 2; the weights are stored separately. Stored by
 * {@link PopulationHeaderCodec} in the fixed layout of {@link PopulationHeaderDescriptor}.
 *
 * @param size            neurons in the population.
 * @param specialization  the application's code for what the population does.
 * @param fitnessAverage  mean fitness of its neurons.
 * @param diversityIndex  genetic diversity, application-defined scale.
 * @param generation      evolution cycles it has been through.
 * @param activeNeurons   neurons currently active, at most {@code size}.
 * @param lastEvolutionMs epoch milliseconds of its last evolution.
 * @param mutationRate    mutation rate of its next evolution (added in schema version 2; version-1
 *                        values migrate to {@link PopulationHeaderCodec#V1_MUTATION_RATE}).
 */
public record PopulationHeader(
    int size,
    int specialization,
    double fitnessAverage,
    double diversityIndex,
    long generation,
    int activeNeurons,
    long lastEvolutionMs,
    double mutationRate)
{
    /**
     * @throws IllegalArgumentException if a count is negative or more neurons are active than exist.
     */
    public PopulationHeader
    {
        if (size < 0 || activeNeurons < 0 || activeNeurons > size || generation < 0)
        {
            throw new IllegalArgumentException("population header size=" + size + " activeNeurons=" + activeNeurons +
                " generation=" + generation + ": counts must be >= 0 and activeNeurons <= size");
        }
    }
}
