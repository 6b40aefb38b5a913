package dev.engram.engine;

import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;

import static dev.engram.engine.PopulationHeaderDescriptor.*;

/**
 * Values and hand-built payloads shared by the typed-value tests.
 */
final class TypedValuesTestSupport
{
    static final int USER_CONTEXT_CODEC_ID = 300;

    private TypedValuesTestSupport()
    {
    }

    static PopulationHeader header()
    {
        return new PopulationHeader(4096, 7, 0.625, 0.375, 12_345L, 4000, 1_700_000_000_123L, 0.05);
    }

    /**
     * A value as the first build of the application stored it: envelope at schema version 1, the
     * 44-byte version-1 layout (no mutation rate).
     */
    static byte[] populationHeaderV1Value(final PopulationHeader h)
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer();
        ValueEnvelope.putHeader(b, 0, PopulationHeaderCodec.ID, 1);
        final int p = ValueEnvelopeDescriptor.HEADER_LENGTH;
        b.putLong(p + GENERATION_OFFSET, h.generation(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(p + LAST_EVOLUTION_MS_OFFSET, h.lastEvolutionMs(), ByteOrder.LITTLE_ENDIAN);
        b.putDouble(p + FITNESS_AVERAGE_OFFSET, h.fitnessAverage(), ByteOrder.LITTLE_ENDIAN);
        b.putDouble(p + DIVERSITY_INDEX_OFFSET, h.diversityIndex(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + SIZE_OFFSET, h.size(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + ACTIVE_NEURONS_OFFSET, h.activeNeurons(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + SPECIALIZATION_OFFSET, h.specialization(), ByteOrder.LITTLE_ENDIAN);
        final byte[] value = new byte[p + V1_LENGTH];
        b.getBytes(0, value);
        return value;
    }

    static PopulationHeader withMutationRate(final PopulationHeader h, final double mutationRate)
    {
        return new PopulationHeader(h.size(), h.specialization(), h.fitnessAverage(), h.diversityIndex(),
            h.generation(), h.activeNeurons(), h.lastEvolutionMs(), mutationRate);
    }
}
