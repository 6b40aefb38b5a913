package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The population header codec of that later build: same id, schema version 3 = version 2 with the
 * parent id appended at {@link #PARENT_POPULATION_ID_OFFSET}.
 */
final class PopulationHeaderV3Codec implements Codec<PopulationHeaderV3>
{
    static final int PARENT_POPULATION_ID_OFFSET = PopulationHeaderDescriptor.V2_LENGTH;
    static final int V3_LENGTH = PARENT_POPULATION_ID_OFFSET + 4;

    static Migration migrationFromV2()
    {
        return Migration.of(PopulationHeaderCodec.ID, 2, (payload, offset, length, out) ->
        {
            if (length != PopulationHeaderDescriptor.V2_LENGTH)
            {
                throw new IllegalArgumentException("v2 length=" + length);
            }
            out.putBytes(0, payload, offset, length);
            out.putInt(PARENT_POPULATION_ID_OFFSET, PopulationHeaderV3.NO_PARENT, ByteOrder.LITTLE_ENDIAN);
            return V3_LENGTH;
        });
    }

    @Override
    public int id()
    {
        return PopulationHeaderCodec.ID;
    }

    @Override
    public String name()
    {
        return PopulationHeaderCodec.NAME;
    }

    @Override
    public Class<PopulationHeaderV3> type()
    {
        return PopulationHeaderV3.class;
    }

    @Override
    public int currentSchemaVersion()
    {
        return 3;
    }

    @Override
    public int encode(final PopulationHeaderV3 value, final MutableDirectBuffer buffer, final int offset)
    {
        PopulationHeaderCodec.INSTANCE.encode(value.header(), buffer, offset);
        buffer.putInt(offset + PARENT_POPULATION_ID_OFFSET, value.parentPopulationId(), ByteOrder.LITTLE_ENDIAN);
        return V3_LENGTH;
    }

    @Override
    public PopulationHeaderV3 decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        if (schemaVersion != 3 || length != V3_LENGTH)
        {
            throw new IllegalArgumentException("schemaVersion=" + schemaVersion + " length=" + length);
        }
        final PopulationHeader header = PopulationHeaderCodec.INSTANCE.decode(
            buffer, offset, PopulationHeaderDescriptor.V2_LENGTH, PopulationHeaderCodec.SCHEMA_VERSION);
        return new PopulationHeaderV3(header, buffer.getInt(offset + PARENT_POPULATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }
}
