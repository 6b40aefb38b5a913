package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static dev.engram.engine.PopulationHeaderDescriptor.*;

/**
 * The reference workload's population header in a fixed layout ({@link PopulationHeaderDescriptor}),
 * at schema version 2. A fixed layout does not tolerate change, so it decodes only its current version:
 * version-1 payloads are brought forward by {@link #migrationFromV1()}, which the application registers
 * in its {@link MigrationRegistry}.
 */
public final class PopulationHeaderCodec implements Codec<PopulationHeader>
{
    /** The reference workload's codec id (an application id: the workload is an application). */
    public static final int ID = CodecRegistry.FIRST_APPLICATION_CODEC_ID;
    public static final String NAME = "population-header";
    public static final int SCHEMA_VERSION = 2;
    /** The mutation rate version-1 code evolved every population with; version-1 values migrate to it. */
    public static final double V1_MUTATION_RATE = 0.01;

    public static final PopulationHeaderCodec INSTANCE = new PopulationHeaderCodec();

    private PopulationHeaderCodec()
    {
    }

    /**
     * @return the step from schema version 1 (no mutation rate) to 2: appends {@link #V1_MUTATION_RATE}.
     */
    public static Migration migrationFromV1()
    {
        return Migration.of(ID, 1, (payload, offset, length, out) ->
        {
            checkLength(1, length, V1_LENGTH);
            out.putBytes(0, payload, offset, V1_LENGTH);
            out.putDouble(MUTATION_RATE_OFFSET, V1_MUTATION_RATE, ByteOrder.LITTLE_ENDIAN);
            return V2_LENGTH;
        });
    }

    @Override
    public int id()
    {
        return ID;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public Class<PopulationHeader> type()
    {
        return PopulationHeader.class;
    }

    @Override
    public int currentSchemaVersion()
    {
        return SCHEMA_VERSION;
    }

    @Override
    public int encode(final PopulationHeader value, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.checkLimit(offset + V2_LENGTH);
        buffer.putLong(offset + GENERATION_OFFSET, value.generation(), ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + LAST_EVOLUTION_MS_OFFSET, value.lastEvolutionMs(), ByteOrder.LITTLE_ENDIAN);
        buffer.putDouble(offset + FITNESS_AVERAGE_OFFSET, value.fitnessAverage(), ByteOrder.LITTLE_ENDIAN);
        buffer.putDouble(offset + DIVERSITY_INDEX_OFFSET, value.diversityIndex(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + SIZE_OFFSET, value.size(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + ACTIVE_NEURONS_OFFSET, value.activeNeurons(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + SPECIALIZATION_OFFSET, value.specialization(), ByteOrder.LITTLE_ENDIAN);
        buffer.putDouble(offset + MUTATION_RATE_OFFSET, value.mutationRate(), ByteOrder.LITTLE_ENDIAN);
        return V2_LENGTH;
    }

    @Override
    public PopulationHeader decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        if (schemaVersion != SCHEMA_VERSION)
        {
            throw new IllegalArgumentException("codec name=" + NAME + " decodes only schemaVersion=" + SCHEMA_VERSION +
                ", not schemaVersion=" + schemaVersion);
        }
        checkLength(SCHEMA_VERSION, length, V2_LENGTH);
        return new PopulationHeader(
            buffer.getInt(offset + SIZE_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getInt(offset + SPECIALIZATION_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getDouble(offset + FITNESS_AVERAGE_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getDouble(offset + DIVERSITY_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getLong(offset + GENERATION_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getInt(offset + ACTIVE_NEURONS_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getLong(offset + LAST_EVOLUTION_MS_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getDouble(offset + MUTATION_RATE_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    private static void checkLength(final int schemaVersion, final int length, final int expected)
    {
        if (length != expected)
        {
            throw new IllegalArgumentException("population header payload schemaVersion=" + schemaVersion +
                " length=" + length + ", expected length=" + expected);
        }
    }
}
