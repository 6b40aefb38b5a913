package dev.engram.examples.consciousness;

import dev.engram.engine.Codec;
import dev.engram.engine.ValueEnvelopeDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A population's weights, {@code float[]}, as consecutive little-endian float32s (4 bytes each, nothing else),
 * schema version 1. Because the payload has no header of its own, weight {@code i} of a stored value is at
 * byte {@link #byteOffsetOf(int)} = 8 + 4 i (after the value envelope), and an evolution cycle rewrites
 * weights with PATCH ops at those offsets without touching the envelope: the value stays a valid typed value.
 * <p>
 * Registering it claims {@code float[]} for the application: every {@code float[]} put through the typed API
 * is stored with this codec. Stateless and thread-safe.
 */
public final class PopulationWeightsCodec implements Codec<float[]>
{
    public static final int ID = 257;
    public static final String NAME = "population-weights";
    public static final int SCHEMA_VERSION = 1;
    /** Bytes per weight. */
    public static final int WEIGHT_LENGTH = Float.BYTES;

    static final PopulationWeightsCodec INSTANCE = new PopulationWeightsCodec();

    private PopulationWeightsCodec()
    {
    }

    /**
     * @param weightIndex index of a weight in the array.
     * @return byte offset of that weight inside the stored (enveloped) value, for PATCH ops.
     */
    public static long byteOffsetOf(final int weightIndex)
    {
        if (weightIndex < 0)
        {
            throw new IllegalArgumentException("weightIndex=" + weightIndex + " must be >= 0");
        }
        return ValueEnvelopeDescriptor.HEADER_LENGTH + (long)WEIGHT_LENGTH * weightIndex;
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
    public Class<float[]> type()
    {
        return float[].class;
    }

    @Override
    public int currentSchemaVersion()
    {
        return SCHEMA_VERSION;
    }

    @Override
    public int encode(final float[] value, final MutableDirectBuffer buffer, final int offset)
    {
        final int length = Math.multiplyExact(value.length, WEIGHT_LENGTH);
        buffer.checkLimit(offset + length);
        for (int i = 0, position = offset; i < value.length; i++, position += WEIGHT_LENGTH)
        {
            buffer.putFloat(position, value[i], ByteOrder.LITTLE_ENDIAN);
        }
        return length;
    }

    @Override
    public float[] decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        if (schemaVersion != SCHEMA_VERSION || length % WEIGHT_LENGTH != 0)
        {
            throw new IllegalArgumentException("codec name=" + NAME + " decodes schemaVersion=" + SCHEMA_VERSION +
                " payloads of a multiple of " + WEIGHT_LENGTH + " bytes, not schemaVersion=" + schemaVersion +
                " length=" + length);
        }
        final float[] weights = new float[length / WEIGHT_LENGTH];
        for (int i = 0, position = offset; i < weights.length; i++, position += WEIGHT_LENGTH)
        {
            weights[i] = buffer.getFloat(position, ByteOrder.LITTLE_ENDIAN);
        }
        return weights;
    }
}
