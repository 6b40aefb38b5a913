package dev.engram.engine;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.engram.engine.RecordLayoutDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every offset of the record layout (docs/typed-values.md, "Record codecs"), checked on payloads the
 * {@link RecordCodec} really wrote.
 */
class RecordLayoutDescriptorTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    enum Kind
    {
        A, B
    }

    record Point(float x, float y)
    {
    }

    record Sample(int count, String name, Long boxed, double[] values, Instant at, Kind kind, Point point, List<Short> list,
                  Map<String, Boolean> flags)
    {
    }

    @Test
    void shouldDeclareTheHeaderOffsets()
    {
        assertEquals(0, FORMAT_OFFSET);
        assertEquals(1, COMPONENT_COUNT_OFFSET);
        assertEquals(3, FINGERPRINT_OFFSET);
        assertEquals(11, COMPONENTS_OFFSET);
        assertEquals(1, FORMAT_VERSION);
        assertEquals(0, NULL);
        assertEquals(1, PRESENT);
        assertEquals(-1, NULL_LENGTH);
    }

    @Test
    void shouldFingerprintTheShapeStringWithFnv1a64()
    {
        assertEquals(0xcbf29ce484222325L, fingerprint(""), "FNV-1a 64 offset basis");
        assertEquals(0x7e1d846e135e56f1L, fingerprint("(x:double,y:double)"));
        assertEquals("(count:int,name:String,boxed:Long,values:double[],at:Instant,kind:enum,point:(x:float,y:float)," +
            "list:List<Short>,flags:Map<String,Boolean>)", RecordCodec.of(Sample.class, 300).shape());
    }

    @Test
    void shouldStoreEveryComponentAtItsDocumentedOffset()
    {
        final RecordCodec<Sample> codec = RecordCodec.of(Sample.class, 300);
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(8);
        final int base = 3;
        final int length = codec.encode(new Sample(0x01020304, "h\u00e9", 0x1122334455667788L, new double[] {1.5, -2.25},
            Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Kind.B, new Point(0.5f, -1f), List.of((short)0x0A0B),
            Map.of("f", true)), b, base);

        assertEquals(1, b.getByte(base));
        assertEquals(9, b.getShort(base + 1, LE));
        assertEquals(codec.fingerprint(), b.getLong(base + 3, LE));
        assertEquals(fingerprint(codec.shape()), codec.fingerprint());
        int at = base + 11;
        assertEquals(0x01020304, b.getInt(at, LE));
        assertEquals(0x04, b.getByte(at), "little-endian: least significant byte first");
        at += 4;
        assertEquals(3, b.getInt(at, LE), "UTF-8 byte length of h\u00e9");
        assertEquals("h\u00e9", b.getStringWithoutLengthUtf8(at + 4, 3));
        at += 4 + 3;
        assertEquals(PRESENT, b.getByte(at));
        assertEquals(0x1122334455667788L, b.getLong(at + 1, LE));
        at += 9;
        assertEquals(2, b.getInt(at, LE));
        assertEquals(1.5, b.getDouble(at + 4, LE));
        assertEquals(-2.25, b.getDouble(at + 12, LE));
        at += 20;
        assertEquals(PRESENT, b.getByte(at));
        assertEquals(1_700_000_000L, b.getLong(at + 1, LE));
        assertEquals(123_456_789, b.getInt(at + 9, LE));
        at += 13;
        assertEquals(1, b.getInt(at, LE), "enum by name");
        assertEquals("B", b.getStringWithoutLengthUtf8(at + 4, 1));
        at += 5;
        assertEquals(PRESENT, b.getByte(at), "nested record: presence, then its components, no header");
        assertEquals(0.5f, b.getFloat(at + 1, LE));
        assertEquals(-1f, b.getFloat(at + 5, LE));
        at += 9;
        assertEquals(1, b.getInt(at, LE), "list count");
        assertEquals(PRESENT, b.getByte(at + 4), "each element as its (boxed) type");
        assertEquals(0x0A0B, b.getShort(at + 5, LE));
        at += 7;
        assertEquals(1, b.getInt(at, LE), "map count");
        assertEquals(1, b.getInt(at + 4, LE), "key as a String");
        assertEquals((byte)'f', b.getByte(at + 8));
        assertEquals(PRESENT, b.getByte(at + 9));
        assertEquals(1, b.getByte(at + 10));
        at += 11;
        assertEquals(at - base, length, "the payload ends after the last component");
    }

    @Test
    void shouldStoreNullsAsAPresenceByteOrALengthOfMinusOne()
    {
        final RecordCodec<Sample> codec = RecordCodec.of(Sample.class, 300);
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(8);
        final int length = codec.encode(new Sample(7, null, null, null, null, null, null, null, null), b, 0);
        int at = 11 + 4;
        assertEquals(NULL_LENGTH, b.getInt(at, LE), "String");
        assertEquals(NULL, b.getByte(at + 4), "Long");
        assertEquals(NULL_LENGTH, b.getInt(at + 5, LE), "double[]");
        assertEquals(NULL, b.getByte(at + 9), "Instant");
        assertEquals(NULL_LENGTH, b.getInt(at + 10, LE), "enum");
        assertEquals(NULL, b.getByte(at + 14), "record");
        assertEquals(NULL_LENGTH, b.getInt(at + 15, LE), "List");
        assertEquals(NULL_LENGTH, b.getInt(at + 19, LE), "Map");
        assertEquals(11 + 4 + 23, length);
    }
}
