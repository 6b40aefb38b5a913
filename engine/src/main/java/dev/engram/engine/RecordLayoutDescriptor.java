package dev.engram.engine;

/**
 * Layout of a {@link RecordCodec} payload (behind the {@link ValueEnvelope}). All integers little-endian,
 * floating-point numbers as their raw IEEE 754 bits (a NaN keeps its payload bits).
 *
 * <pre>
 *   offset size  field
 *   0      1     record layout format, unsigned ({@value #FORMAT_VERSION})
 *   1      2     component count of the record that wrote it, unsigned
 *   3      8     shape fingerprint: FNV-1a 64 of the UTF-8 shape string of that record
 *   11     ...   the components, in declaration order, each in the encoding of its type:
 *
 *   boolean                          1   0 or 1
 *   byte                             1
 *   short, char                      2
 *   int, float                       4
 *   long, double                     8
 *   Boolean ... Double (boxes)       1 + n   presence byte (0 null, 1 present), then as the primitive
 *   String, enum (by name())         4 + n   int32 UTF-8 byte length (-1 null), then the bytes
 *   byte[]                           4 + n   int32 length (-1 null), then the bytes
 *   int[], float[]                   4 + 4n  int32 element count (-1 null), then the elements
 *   long[], double[]                 4 + 8n  int32 element count (-1 null), then the elements
 *   Instant                          1 + 12  presence byte, int64 epoch second, int32 nano of second
 *   a record                         1 + n   presence byte, then its components (no header of its own)
 *   List&lt;T&gt;                          4 + n   int32 element count (-1 null), then each element as T
 *   Map&lt;String, T&gt;                  4 + n   int32 entry count (-1 null), then per entry a String key
 *                                            (never null) and the value as T, in the map's iteration order
 * </pre>
 * The payload ends exactly after the last component; bytes left over are refused.
 * <p>
 * The shape string names each component and the shape of its type, in declaration order, without class
 * names (so a record may be renamed or moved): {@code (name:String,level:int,joined:Instant,tags:List<String>)};
 * types: {@code boolean byte short char int long float double Boolean Byte Short Character Integer Long Float
 * Double String enum byte[] int[] long[] float[] double[] Instant}, a nested record's own shape in parentheses,
 * {@code List<T>}, {@code Map<String,T>}. An enum is {@code enum} whatever its constants: they are stored by name.
 */
public final class RecordLayoutDescriptor
{
    public static final int FORMAT_OFFSET = 0;
    public static final int COMPONENT_COUNT_OFFSET = 1;
    public static final int FINGERPRINT_OFFSET = 3;
    /** Where the first component starts; also the header's length. */
    public static final int COMPONENTS_OFFSET = 11;
    /** The record layout format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** Presence byte of a null reference. */
    public static final byte NULL = 0;
    /** Presence byte of a present reference. */
    public static final byte PRESENT = 1;
    /** Length or count of a null String, array, List or Map. */
    public static final int NULL_LENGTH = -1;

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RecordLayoutDescriptor()
    {
    }

    /**
     * @param shape a shape string.
     * @return FNV-1a 64 of its UTF-8 bytes: the fingerprint stored at {@link #FINGERPRINT_OFFSET}.
     */
    public static long fingerprint(final String shape)
    {
        long hash = FNV_OFFSET_BASIS;
        for (final byte b : shape.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }
}
