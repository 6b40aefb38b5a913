package dev.engram.examples.consciousness;

import dev.engram.engine.ValueEnvelope;
import dev.engram.engine.ValueEnvelopeDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static dev.engram.examples.consciousness.PopulationHeaderDescriptor.*;

/**
 * How the application's first release stored a population header: the value envelope (codec
 * {@link PopulationHeaderCodec#ID}, schema version 1) and the 44-byte version-1 layout, which has no
 * mutation rate (that release evolved every population at {@link PopulationHeaderCodec#V1_MUTATION_RATE}).
 */
final class PopulationHeaderV1Layout
{
    static final int SCHEMA_VERSION = 1;
    static final int VALUE_LENGTH = ValueEnvelopeDescriptor.HEADER_LENGTH + V1_LENGTH;

    private PopulationHeaderV1Layout()
    {
    }

    /**
     * @param header a header; its mutation rate must be the one version 1 implied.
     * @return the enveloped version-1 value.
     */
    static byte[] encode(final PopulationHeader header)
    {
        if (header.mutationRate() != PopulationHeaderCodec.V1_MUTATION_RATE)
        {
            throw new IllegalArgumentException("schema version 1 cannot hold mutationRate=" + header.mutationRate() +
                ": it implies " + PopulationHeaderCodec.V1_MUTATION_RATE);
        }
        final byte[] value = new byte[VALUE_LENGTH];
        final UnsafeBuffer b = new UnsafeBuffer(value);
        ValueEnvelope.putHeader(b, 0, PopulationHeaderCodec.ID, SCHEMA_VERSION);
        final int p = ValueEnvelopeDescriptor.HEADER_LENGTH;
        b.putLong(p + GENERATION_OFFSET, header.generation(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(p + LAST_EVOLUTION_MS_OFFSET, header.lastEvolutionMs(), ByteOrder.LITTLE_ENDIAN);
        b.putDouble(p + FITNESS_AVERAGE_OFFSET, header.fitnessAverage(), ByteOrder.LITTLE_ENDIAN);
        b.putDouble(p + DIVERSITY_INDEX_OFFSET, header.diversityIndex(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + SIZE_OFFSET, header.size(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + ACTIVE_NEURONS_OFFSET, header.activeNeurons(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + SPECIALIZATION_OFFSET, header.specialization(), ByteOrder.LITTLE_ENDIAN);
        return value;
    }
}
