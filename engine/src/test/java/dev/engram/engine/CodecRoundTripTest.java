package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class CodecRoundTripTest
{
    static
    {
        EngramSystemProperties.apply();
    }

    private static final long SEED = 0x5EEDC0DECL;

    private final CodecRegistry codecs = new CodecRegistry()
        .register(PopulationHeaderCodec.INSTANCE)
        .register(WireCodec.of(TypedValuesTestSupport.USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 1));
    private final TypedValues values = new TypedValues(codecs, new MigrationRegistry());

    @Test
    void shouldRoundTripRawBytesWhenEmptyOrLarge()
    {
        final Random random = new Random(SEED);
        final byte[] large = new byte[1 << 20];
        random.nextBytes(large);
        for (final byte[] value : new byte[][] {new byte[0], {0}, {(byte)0xE7, 1, 2, 0, 1, 0, 0, 0}, large})
        {
            final byte[] stored = values.encodeToBytes(value);
            assertEquals(ValueEnvelopeDescriptor.HEADER_LENGTH + value.length, stored.length);
            assertArrayEquals(value, values.decode("k", stored, byte[].class), "seed=" + SEED);
        }
    }

    @Test
    void shouldRoundTripStringsWhenTheyHoldAnyUnicode()
    {
        for (final String value : new String[] {"", "metrics/system", "héllo wörld", "日本語", "emoji \uD83E\uDDE0 brain", "\u0000"})
        {
            final byte[] stored = values.encodeToBytes(value);
            assertEquals(Utf8StringCodec.ID, new ValueEnvelope().wrap(new UnsafeBuffer(stored), 0, stored.length).codecId());
            assertEquals(value, values.decode("k", stored, String.class));
        }
    }

    @Test
    void shouldRefuseAStringWhenItWouldNotReadBackAsWritten()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> values.encodeToBytes("bad \uD800 surrogate"))
            .getMessage().contains("unpaired surrogate at char index=4"));
        final byte[] malformed = values.encodeToBytes("ab");
        malformed[ValueEnvelopeDescriptor.HEADER_LENGTH] = (byte)0xC3; // a lead byte followed by 'b'
        final ValueDecodeException ex = assertThrows(ValueDecodeException.class,
            () -> values.decode("user/9", malformed, String.class));
        assertTrue(ex.getMessage().contains("key=user/9"), ex.getMessage());
        assertTrue(ex.getMessage().contains("not valid UTF-8"), ex.getMessage());
    }

    @Test
    void shouldRoundTripAPopulationHeaderWhenEncodedIntoAReusedDirectBuffer()
    {
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(16);
        final PopulationHeader header = TypedValuesTestSupport.header();
        for (int i = 0; i < 3; i++)
        {
            final int length = values.encode(header, buffer, 7);
            assertEquals(ValueEnvelopeDescriptor.HEADER_LENGTH + PopulationHeaderDescriptor.V2_LENGTH, length);
            assertEquals(header, values.decode("population/1", buffer, 7, length, PopulationHeader.class));
        }
    }

    @Test
    void shouldRoundTripAWireRecordWhenItHasMapsAndNulls()
    {
        final UserContextV2 context = new UserContextV2().userId("user/42").skill("math", 0.75).skill("music", 0.25)
            .preference("pace", "fast").preference("hints", "off").learningRate(0.3);
        final DirectBuffer encoded = values.encode(context);
        final UserContextV2 decoded = values.decode("user/42", encoded, 0, encoded.capacity(), UserContextV2.class);
        assertEquals(context, decoded);
        assertNull(decoded.currentSession);
        assertNotSame(context, decoded);

        final UserContextV2 empty = new UserContextV2();
        assertEquals(empty, values.decode("user/0", values.encodeToBytes(empty), UserContextV2.class));
    }

    @Test
    void shouldDecodeAsASupertypeWhenTheCallerAsksForOne()
    {
        final Object decoded = values.decode("population/2", values.encodeToBytes(TypedValuesTestSupport.header()), Object.class);
        assertEquals(TypedValuesTestSupport.header(), decoded);
    }

    @Test
    void shouldKeepTheViewValidUntilTheNextEncode()
    {
        final DirectBuffer first = values.encode("one");
        assertEquals(ValueEnvelopeDescriptor.HEADER_LENGTH + 3, first.capacity());
        assertEquals("one", values.decode("k", first, 0, first.capacity(), String.class));
        final DirectBuffer second = values.encode("three");
        assertSame(first, second, "the view is reused");
        assertEquals("three", values.decode("k", second, 0, second.capacity(), String.class));
    }

    @Test
    void shouldRoundTripWireRecordsWhenManyThreadsShareTheCodec() throws Exception
    {
        final int threads = 4;
        final int perThread = 5_000;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                results.add(pool.submit(() ->
                {
                    final TypedValues mine = new TypedValues(codecs, new MigrationRegistry());
                    final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
                    final Random random = new Random(SEED + thread);
                    int checked = 0;
                    for (int i = 0; i < perThread; i++)
                    {
                        final UserContextV2 context = new UserContextV2().userId("user/" + thread + "/" + i)
                            .skill("d" + random.nextInt(10), random.nextDouble()).learningRate(random.nextDouble());
                        final int length = mine.encode(context, buffer, 0);
                        assertEquals(context, mine.decode(context.userId, buffer, 0, length, UserContextV2.class),
                            "seed=" + (SEED + thread) + " i=" + i);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (final Future<Integer> result : results)
            {
                assertEquals(perThread, result.get(60, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
