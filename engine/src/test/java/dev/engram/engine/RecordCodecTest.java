package dev.engram.engine;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Round trips of every type a {@link RecordCodec} encodes, through {@link TypedValues} (envelope and all), with
 * nulls and edge values; what it refuses and how it says so; many threads on one codec.
 */
class RecordCodecTest
{
    enum Mood
    {
        CALM, ALERT, FOCUSED
    }

    record Primitives(boolean z, byte b, short s, char c, int i, long l, float f, double d)
    {
    }

    record Boxes(Boolean z, Byte b, Short s, Character c, Integer i, Long l, Float f, Double d)
    {
    }

    record Point(double x, double y)
    {
    }

    record Inner(String label, Point point, List<Point> path)
    {
    }

    /** Arrays compared by content: a record's generated equals compares array references. */
    record Everything(
        String text,
        byte[] bytes,
        int[] ints,
        long[] longs,
        float[] floats,
        double[] doubles,
        Mood mood,
        Instant at,
        Inner inner,
        List<String> names,
        List<Integer> numbers,
        Map<String, Point> points,
        Map<String, List<Long>> series,
        List<Map<String, Mood>> moods)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Everything e && Objects.equals(text, e.text) && Arrays.equals(bytes, e.bytes) &&
                Arrays.equals(ints, e.ints) && Arrays.equals(longs, e.longs) && Arrays.equals(floats, e.floats) &&
                Arrays.equals(doubles, e.doubles) && mood == e.mood && Objects.equals(at, e.at) &&
                Objects.equals(inner, e.inner) && Objects.equals(names, e.names) && Objects.equals(numbers, e.numbers) &&
                Objects.equals(points, e.points) && Objects.equals(series, e.series) && Objects.equals(moods, e.moods);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(text, mood, at);
        }
    }

    record Empty()
    {
    }

    record WithSet(Set<String> names)
    {
    }

    record WithObject(Object anything)
    {
    }

    record Generic<T>(T value)
    {
    }

    record Node(String name, Node next)
    {
    }

    record Checked(int positive)
    {
        Checked
        {
            if (positive <= 0)
            {
                throw new IllegalArgumentException("positive must be > 0: " + positive);
            }
        }
    }

    private static <T> T roundTrip(final Codec<T> codec, final T value)
    {
        final CodecRegistry codecs = new CodecRegistry().register(codec);
        final TypedValues values = new TypedValues(codecs, new MigrationRegistry());
        final byte[] stored = values.encodeToBytes(value);
        return values.decode("k", stored, codec.type());
    }

    @Test
    void shouldRoundTripPrimitivesWithTheirEdgeValues()
    {
        final RecordCodec<Primitives> codec = RecordCodec.of(Primitives.class, 300);
        for (final Primitives p : List.of(
            new Primitives(true, Byte.MIN_VALUE, Short.MIN_VALUE, Character.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE,
                Float.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY),
            new Primitives(false, Byte.MAX_VALUE, Short.MAX_VALUE, Character.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE,
                Float.MAX_VALUE, Double.MIN_VALUE),
            new Primitives(false, (byte)0, (short)0, '\u00e9', 0, 0, -0.0f, -0.0)))
        {
            assertEquals(p, roundTrip(codec, p));
        }
        final float nanF = Float.intBitsToFloat(0x7fc01234);
        final double nanD = Double.longBitsToDouble(0x7ff8000000abcdefL);
        final Primitives nan = roundTrip(codec, new Primitives(true, (byte)1, (short)1, 'x', 1, 1, nanF, nanD));
        assertEquals(0x7fc01234, Float.floatToRawIntBits(nan.f()), "NaN payload bits kept");
        assertEquals(0x7ff8000000abcdefL, Double.doubleToRawLongBits(nan.d()));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(roundTrip(codec,
            new Primitives(false, (byte)0, (short)0, 'a', 0, 0, -0.0f, 0)).f()), "negative zero kept");
    }

    @Test
    void shouldRoundTripBoxesPresentAndNull()
    {
        final RecordCodec<Boxes> codec = RecordCodec.of(Boxes.class, 301);
        final Boxes full = new Boxes(true, (byte)-1, (short)-2, 'q', -3, Long.MIN_VALUE, Float.NaN, Double.MAX_VALUE);
        assertEquals(full, roundTrip(codec, full));
        final Boxes nulls = new Boxes(null, null, null, null, null, null, null, null);
        assertEquals(nulls, roundTrip(codec, nulls));
        final Boxes mixed = new Boxes(null, (byte)7, null, 'z', null, 0L, null, -1.5);
        assertEquals(mixed, roundTrip(codec, mixed));
    }

    @Test
    void shouldRoundTripEveryReferenceTypeWithValuesEmptiesAndNulls()
    {
        final RecordCodec<Everything> codec = RecordCodec.of(Everything.class, 302);
        final Map<String, Point> points = new LinkedHashMap<>();
        points.put("b", new Point(1, 2));
        points.put("a", null);
        points.put("", new Point(Double.NaN, -0.0));
        final Map<String, List<Long>> series = new LinkedHashMap<>();
        series.put("s", Arrays.asList(1L, null, Long.MAX_VALUE));
        series.put("none", null);
        final Everything full = new Everything(
            "h\u00e9llo \ud83d\ude00 \u4e16\u754c",
            new byte[] {0, -1, 127, -128},
            new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE},
            new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE},
            new float[] {Float.NaN, Float.MIN_VALUE, -0.0f},
            new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1e-300},
            Mood.FOCUSED,
            Instant.ofEpochSecond(-62_135_596_800L, 999_999_999),
            new Inner("in", new Point(3, 4), List.of(new Point(5, 6), new Point(7, 8))),
            Arrays.asList("x", null, ""),
            Arrays.asList(1, null, -1),
            points,
            series,
            List.of(Map.of("m", Mood.CALM), Map.of()));
        final Everything back = roundTrip(codec, full);
        assertEquals(full, back);
        assertEquals(List.of("b", "a", ""), new ArrayList<>(back.points().keySet()), "map iteration order kept");

        final Everything empties = new Everything("", new byte[0], new int[0], new long[0], new float[0], new double[0],
            Mood.CALM, Instant.EPOCH, new Inner("", null, List.of()), List.of(), List.of(), Map.of(), Map.of(), List.of());
        assertEquals(empties, roundTrip(codec, empties));

        final Everything nulls = new Everything(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertEquals(nulls, roundTrip(codec, nulls));
        assertEquals(new Inner(null, null, null), roundTrip(RecordCodec.of(Inner.class, 303), new Inner(null, null, null)));
    }

    @Test
    void shouldRoundTripLargeValuesAndAnEmptyRecord()
    {
        final RecordCodec<Everything> codec = RecordCodec.of(Everything.class, 302);
        final String big = "\u00e9".repeat(1 << 20);   // 2 MiB of UTF-8
        final byte[] bytes = new byte[4 << 20];
        bytes[bytes.length - 1] = 42;
        final double[] doubles = new double[1 << 18];
        Arrays.fill(doubles, 0.5);
        final Everything large = new Everything(big, bytes, null, null, null, doubles, null, Instant.MAX, null,
            null, null, null, null, null);
        assertEquals(large, roundTrip(codec, large));
        assertEquals(new Empty(), roundTrip(RecordCodec.of(Empty.class, 304), new Empty()));
    }

    @Test
    void shouldRefuseUnsupportedComponentTypesNamingTheComponent()
    {
        final IllegalArgumentException set = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(WithSet.class, 300));
        assertTrue(set.getMessage().contains("WithSet.names") && set.getMessage().contains("java.util.Set<java.lang.String>"),
            set.getMessage());
        assertTrue(set.getMessage().contains("supported:"), set.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(WithObject.class, 300));
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Generic.class, 300));
        final IllegalArgumentException recursive = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Node.class, 300));
        assertTrue(recursive.getMessage().contains("contains itself"), recursive.getMessage());
        final IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Point.class, 255));
        assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
    }

    @Test
    void shouldReportAComponentThatCannotBeEncodedOrAConstructorThatRefusesTheStoredValues()
    {
        final TypedValues values = new TypedValues(new CodecRegistry().register(RecordCodec.of(Inner.class, 300)),
            new MigrationRegistry());
        final IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
            () -> values.encodeToBytes(new Inner("bad \ud800", null, null)));
        assertTrue(surrogate.getMessage().contains("component label"), surrogate.getMessage());

        // a payload of Checked(0) cannot exist through the constructor: write one with a same-shape twin
        record Twin(int positive)
        {
        }
        final byte[] zero = new TypedValues(new CodecRegistry().register(RecordCodec.of(Twin.class, 301)), new MigrationRegistry())
            .encodeToBytes(new Twin(0));
        zero[2] = (byte)(302 & 0xFF);   // envelope codec id 301 (0x012d) -> 302 (0x012e): the same bytes, read as Checked
        final TypedValues checked = new TypedValues(new CodecRegistry().register(RecordCodec.of(Checked.class, 302)),
            new MigrationRegistry());
        final ValueDecodeException refused = assertThrows(ValueDecodeException.class, () -> checked.decode("c/1", zero, Checked.class));
        assertTrue(refused.getMessage().contains("c/1") && refused.getMessage().contains("canonical constructor") &&
            refused.getMessage().contains("positive must be > 0"), refused.getMessage());
    }

    @Test
    void shouldDeriveAStableIdFromTheClassNameAndLetTheRegistryRefuseACollision()
    {
        final RecordCodec<Point> derived = RecordCodec.of(Point.class);
        assertEquals(RecordCodec.derivedId(Point.class.getName()), derived.id());
        assertEquals(derived.id(), RecordCodec.of(Point.class).id(), "stable");
        assertTrue(derived.id() >= 256 && derived.id() <= 65535);
        assertEquals("Point", derived.name());
        final CodecRegistry codecs = new CodecRegistry().register(derived);
        final IllegalStateException collision = assertThrows(IllegalStateException.class,
            () -> codecs.register(RecordCodec.of(Inner.class, derived.id())));
        assertTrue(collision.getMessage().contains("already registered to name=Point"), collision.getMessage());
    }

    @Test
    void shouldRefuseAPayloadWrittenByAnotherShapeNamingKeyCodecAndWhatDiffers()
    {
        record PlayerV1(String name, int level)
        {
        }
        record PlayerAdded(String name, int level, double score)
        {
        }
        record PlayerRenamed(String name, int rank)
        {
        }
        final byte[] v1 = new TypedValues(new CodecRegistry().register(RecordCodec.of(PlayerV1.class, 400)), new MigrationRegistry())
            .encodeToBytes(new PlayerV1("ann", 3));

        final TypedValues added = new TypedValues(new CodecRegistry().register(RecordCodec.of(PlayerAdded.class, 400)),
            new MigrationRegistry());
        final ValueDecodeException ex = assertThrows(ValueDecodeException.class, () -> added.decode("player/1", v1, PlayerAdded.class));
        final String message = ex.getMessage();
        assertTrue(message.contains("key=player/1") && message.contains("codec id=400") && message.contains("name=PlayerAdded"), message);
        assertTrue(message.contains("stored 2 components") && message.contains("this record has 3 components") &&
            message.contains("(name:String,level:int,score:double)") && message.contains("added or removed"), message);
        assertInstanceOf(RecordShapeException.class, ex.getCause());

        final TypedValues renamed = new TypedValues(new CodecRegistry().register(RecordCodec.of(PlayerRenamed.class, 400)),
            new MigrationRegistry());
        final ValueDecodeException same = assertThrows(ValueDecodeException.class, () -> renamed.decode("player/1", v1, PlayerRenamed.class));
        assertTrue(same.getMessage().contains("renamed, reordered or retyped"), same.getMessage());
    }

    @Test
    void shouldRefuseDamagedPayloadsInsteadOfReadingWrongValuesOrAllocatingHugeArrays()
    {
        final RecordCodec<Everything> codec = RecordCodec.of(Everything.class, 302);
        final TypedValues values = new TypedValues(new CodecRegistry().register(codec), new MigrationRegistry());
        final byte[] stored = values.encodeToBytes(new Everything("abc", null, null, null, null, null, null, null, null,
            null, null, null, null, null));
        final byte[] truncated = Arrays.copyOf(stored, stored.length - 1);
        assertThrows(ValueDecodeException.class, () -> values.decode("k", truncated, Everything.class));
        final byte[] longer = Arrays.copyOf(stored, stored.length + 1);
        final ValueDecodeException trailing = assertThrows(ValueDecodeException.class, () -> values.decode("k", longer, Everything.class));
        assertTrue(trailing.getMessage().contains("after its last component"), trailing.getMessage());
        final byte[] hugeLength = stored.clone();
        new UnsafeBuffer(hugeLength).putInt(8 + RecordLayoutDescriptor.COMPONENTS_OFFSET, Integer.MAX_VALUE, java.nio.ByteOrder.LITTLE_ENDIAN);
        final ValueDecodeException huge = assertThrows(ValueDecodeException.class, () -> values.decode("k", hugeLength, Everything.class));
        assertTrue(huge.getMessage().contains("component text"), huge.getMessage());
        final byte[] newerFormat = stored.clone();
        newerFormat[8] = 2;
        final ValueDecodeException newer = assertThrows(ValueDecodeException.class, () -> values.decode("k", newerFormat, Everything.class));
        assertTrue(newer.getMessage().contains("newer Engram"), newer.getMessage());
    }

    record ScoreV1(String who, int points)
    {
    }

    record ScoreV2(String who, long points, String league)
    {
    }

    record Score(String who, long points, String league, List<Integer> history)
    {
    }

    @Test
    void shouldReadVersion1And2ValuesThroughAChainOfRecordSteps()
    {
        final byte[] v1 = new TypedValues(new CodecRegistry().register(RecordCodec.of(ScoreV1.class, 500)), new MigrationRegistry())
            .encodeToBytes(new ScoreV1("ann", 7));
        final byte[] v2 = new TypedValues(new CodecRegistry().register(RecordCodec.of(ScoreV2.class, 500).version(2)),
            new MigrationRegistry()).encodeToBytes(new ScoreV2("bo", 8L, "gold"));
        final CodecRegistry codecs = new CodecRegistry();
        final MigrationRegistry migrations = new MigrationRegistry();
        RecordCodec.of(Score.class, 500).version(3)
            .migrateFrom(ScoreV2.class, 2, old -> new Score(old.who(), old.points(), old.league(), List.of()))
            .migrateFrom(ScoreV1.class, 1, old -> new ScoreV2(old.who(), old.points(), "none"))
            .registerIn(codecs, migrations);
        final TypedValues values = new TypedValues(codecs, migrations);
        assertEquals(new Score("ann", 7L, "none", List.of()), values.decode("s/1", v1, Score.class), "1 -> 2 -> 3");
        assertEquals(new Score("bo", 8L, "gold", List.of()), values.decode("s/2", v2, Score.class), "2 -> 3");
        final byte[] upgraded = values.upgrade("s/1", new UnsafeBuffer(v1), 0, v1.length);
        assertEquals(3, upgraded[4], "rewritten at version 3");
        assertEquals(new Score("ann", 7L, "none", List.of()), values.decode("s/1", upgraded, Score.class));
    }

    @Test
    void shouldRefuseAnIncompleteChainAndReportAStepReturningTheWrongRecord()
    {
        final RecordCodec<Score> gap = RecordCodec.of(Score.class, 500).version(3)
            .migrateFrom(ScoreV1.class, 1, old -> new ScoreV2(old.who(), old.points(), "none"));
        final IllegalStateException missing = assertThrows(IllegalStateException.class, gap::migrations);
        assertTrue(missing.getMessage().contains("none from version=2"), missing.getMessage());
        final IllegalStateException notBelow = assertThrows(IllegalStateException.class,
            () -> RecordCodec.of(Score.class, 500).migrateFrom(ScoreV1.class, 1, old -> null).migrations());
        assertTrue(notBelow.getMessage().contains("call version(n) first"), notBelow.getMessage());
        assertThrows(IllegalStateException.class, () -> gap.migrateFrom(ScoreV1.class, 1, old -> null));

        final byte[] v1 = new TypedValues(new CodecRegistry().register(RecordCodec.of(ScoreV1.class, 500)), new MigrationRegistry())
            .encodeToBytes(new ScoreV1("ann", 7));
        final CodecRegistry codecs = new CodecRegistry();
        final MigrationRegistry migrations = new MigrationRegistry();
        RecordCodec.of(Score.class, 500).version(2)
            .migrateFrom(ScoreV1.class, 1, old -> new ScoreV2(old.who(), old.points(), "none"))   // should be a Score
            .registerIn(codecs, migrations);
        final ValueDecodeException wrong = assertThrows(ValueDecodeException.class,
            () -> new TypedValues(codecs, migrations).decode("s/1", v1, Score.class));
        assertTrue(wrong.getMessage().contains("s/1") && wrong.getMessage().contains("migration 1->2") &&
            wrong.getMessage().contains("ScoreV2") && wrong.getMessage().contains("version 2 is"), wrong.getMessage());
    }

    @Test
    void shouldEncodeAndDecodeFromManyThreadsAtOnce() throws Exception
    {
        final RecordCodec<Inner> codec = RecordCodec.of(Inner.class, 300);
        final CodecRegistry codecs = new CodecRegistry().register(codec);
        final int threads = 4;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        final CountDownLatch start = new CountDownLatch(1);
        try
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                results.add(pool.submit(() ->
                {
                    final TypedValues values = new TypedValues(codecs, new MigrationRegistry());   // one per thread
                    final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < 20_000; i++)
                    {
                        final List<Point> path = new ArrayList<>();
                        for (int p = 0; p < i % 5; p++)
                        {
                            path.add(new Point(thread, i + p));
                        }
                        final Inner value = new Inner("t" + thread + "/" + i, i % 3 == 0 ? null : new Point(i, -i), path);
                        final int length = values.encode(value, buffer, 0);
                        assertEquals(value, values.decode("k", buffer, 0, length, Inner.class));
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (final Future<Integer> result : results)
            {
                assertEquals(20_000, result.get(120, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
