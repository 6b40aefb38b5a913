package dev.engram.examples.consciousness;

import dev.engram.engine.ValueEnvelopeDescriptor;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static dev.engram.examples.consciousness.PopulationHeaderDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every offset the population header diagram names, checked on payloads the codec and the v1→v2
 * migration really wrote.
 */
class PopulationHeaderDescriptorTest
{
    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals(0, GENERATION_OFFSET);
        assertEquals(8, LAST_EVOLUTION_MS_OFFSET);
        assertEquals(16, FITNESS_AVERAGE_OFFSET);
        assertEquals(24, DIVERSITY_INDEX_OFFSET);
        assertEquals(32, SIZE_OFFSET);
        assertEquals(36, ACTIVE_NEURONS_OFFSET);
        assertEquals(40, SPECIALIZATION_OFFSET);
        assertEquals(44, V1_LENGTH);
        assertEquals(44, MUTATION_RATE_OFFSET);
        assertEquals(52, V2_LENGTH);
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset()
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(8);
        final int length = PopulationHeaderCodec.INSTANCE.encode(
            new PopulationHeader(0x01020304, 0x0A0B0C0D, 1.5, -2.25, 0x1122334455667788L, 0x01020300, 1_700_000_000_001L, 0.125),
            b, 3);

        assertEquals(52, length);
        assertEquals(0x1122334455667788L, b.getLong(3, ByteOrder.LITTLE_ENDIAN));
        assertEquals((byte)0x88, b.getByte(3), "little-endian: least significant byte first");
        assertEquals(1_700_000_000_001L, b.getLong(3 + 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1.5, b.getDouble(3 + 16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(-2.25, b.getDouble(3 + 24, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x01020304, b.getInt(3 + 32, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x01020300, b.getInt(3 + 36, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x0A0B0C0D, b.getInt(3 + 40, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0.125, b.getDouble(3 + 44, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldKeepTheVersion1BytesAndAppendTheMutationRateWhenMigratingFromV1()
    {
        final byte[] v1Value = PopulationHeaderV1Layout.encode(
            new PopulationHeader(4096, 7, 0.625, 0.375, 12_345L, 4000, 1_700_000_000_123L, PopulationHeaderCodec.V1_MUTATION_RATE));
        final UnsafeBuffer v1 = new UnsafeBuffer(v1Value);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);

        final int length = PopulationHeaderCodec.migrationFromV1().apply(
            v1, ValueEnvelopeDescriptor.HEADER_LENGTH, v1Value.length - ValueEnvelopeDescriptor.HEADER_LENGTH, out);

        assertEquals(V2_LENGTH, length);
        for (int i = 0; i < V1_LENGTH; i++)
        {
            assertEquals(v1.getByte(ValueEnvelopeDescriptor.HEADER_LENGTH + i), out.getByte(i), "byte " + i);
        }
        assertEquals(PopulationHeaderCodec.V1_MUTATION_RATE, out.getDouble(MUTATION_RATE_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }
}
