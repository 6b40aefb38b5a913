package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.onoes.ExceptionKey;
import net.openhft.chronicle.wire.BytesInBinaryMarshallable;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.engram.engine.TypedValuesTestSupport.USER_CONTEXT_CODEC_ID;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Wire codec across two builds of an application: {@link UserContextV1} in the old build,
 * {@link UserContextV2} (adds preferences and learningRate, removes loginCount) in the new one, both
 * under the same codec id, each in its own registry.
 */
class WireCodecToleranceTest
{
    static
    {
        EngramSystemProperties.apply();
    }

    private Map<ExceptionKey, Integer> chronicleExceptions;

    private static TypedValues oldBuild(final int schemaVersion)
    {
        return new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV1.class, schemaVersion)),
            new MigrationRegistry());
    }

    private static TypedValues newBuild(final int schemaVersion)
    {
        return new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, schemaVersion)),
            new MigrationRegistry());
    }

    @BeforeEach
    void recordChronicleExceptions()
    {
        chronicleExceptions = Jvm.recordExceptions();
    }

    @AfterEach
    void resetChronicleExceptions()
    {
        Jvm.resetExceptionHandlers();
    }

    @Test
    void shouldReadOldDataWithNewFieldsAtTheirInitialValuesWhenTheCodeIsNewer()
    {
        final byte[] stored = oldBuild(1).encodeToBytes(
            new UserContextV1().userId("user/7").skill("math", 0.5).skill("art", 0.9).currentSession("s-1").loginCount(12));

        final UserContextV2 read = newBuild(1).decode("user/7", stored, UserContextV2.class);

        assertEquals("user/7", read.userId);
        assertEquals(Map.of("math", 0.5, "art", 0.9), read.skillLevels);
        assertEquals("s-1", read.currentSession);
        assertEquals(Map.of("pace", "normal"), read.preferences, "an absent map keeps its initialiser, not null");
        assertEquals(UserContextV2.DEFAULT_LEARNING_RATE, read.learningRate);
        assertTrue(chronicleExceptions.isEmpty(), "tolerance is silent: " + chronicleExceptions);
    }

    @Test
    void shouldSkipUnknownFieldsWhenTheCodeIsOlder()
    {
        final byte[] stored = newBuild(1).encodeToBytes(new UserContextV2().userId("user/8").skill("music", 0.25)
            .preference("hints", "off").currentSession("s-2").learningRate(0.7));

        final UserContextV1 read = oldBuild(1).decode("user/8", stored, UserContextV1.class);

        assertEquals("user/8", read.userId);
        assertEquals(Map.of("music", 0.25), read.skillLevels);
        assertEquals("s-2", read.currentSession);
        assertEquals(0, read.loginCount, "a field the newer build removed reads as a new instance has it");
        assertTrue(chronicleExceptions.isEmpty(), "tolerance is silent: " + chronicleExceptions);
    }

    @Test
    void shouldKeepAStoredNullWhenTheFieldWasPresent()
    {
        final UserContextV2 noPreferences = new UserContextV2().userId("user/9");
        noPreferences.preferences = null;
        final TypedValues values = newBuild(1);

        final UserContextV2 read = values.decode("user/9", values.encodeToBytes(noPreferences), UserContextV2.class);

        assertNull(read.preferences, "only absent fields take initial values");
        assertEquals(noPreferences, read);
    }

    @Test
    void shouldRefuseNewerDataWhenTheSchemaVersionWasBumped()
    {
        final byte[] stored = newBuild(2).encodeToBytes(new UserContextV2().userId("user/10"));

        final SchemaVersionException ex = assertThrows(SchemaVersionException.class,
            () -> oldBuild(1).decode("user/10", stored, UserContextV1.class));

        assertEquals("user/10", ex.key());
        assertEquals(2, ex.schemaVersion());
        assertEquals(1, ex.currentSchemaVersion());
        assertTrue(ex.getMessage().contains("written by a newer schema version=2, this code knows up to 1"), ex.getMessage());
        assertTrue(ex.getMessage().contains("codec id=" + USER_CONTEXT_CODEC_ID + " name=user-context"), ex.getMessage());
    }

    @Test
    void shouldReadAnOlderSchemaVersionDirectlyAndRewriteItWhenUpgraded()
    {
        final byte[] stored = oldBuild(1).encodeToBytes(new UserContextV1().userId("user/11").skill("math", 1.0));
        final TypedValues values = newBuild(2);
        final UnsafeBuffer buffer = new UnsafeBuffer(stored);

        assertEquals("user/11", values.decode("user/11", stored, UserContextV2.class).userId);
        assertTrue(values.needsMigration("user/11", buffer, 0, stored.length));

        final byte[] upgraded = values.upgrade("user/11", buffer, 0, stored.length);
        assertNotNull(upgraded);
        final ValueEnvelope envelope = values.envelope("user/11", new UnsafeBuffer(upgraded), 0, upgraded.length);
        assertEquals(2, envelope.schemaVersion());
        final UserContextV2 read = values.decode("user/11", upgraded, UserContextV2.class);
        assertEquals(Map.of("math", 1.0), read.skillLevels);
        assertEquals(Map.of("pace", "normal"), read.preferences);
        assertNull(values.upgrade("user/11", new UnsafeBuffer(upgraded), 0, upgraded.length));
    }

    @Test
    void shouldReadTheSameNumberWhenAFieldWasWidened()
    {
        final TypedValues narrow = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "counter", Narrow.class, 1)), new MigrationRegistry());
        final TypedValues wide = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "counter", Wide.class, 1)), new MigrationRegistry());
        final Narrow stored = new Narrow();
        stored.count = 123_456;
        stored.rate = 1.5f;

        final Wide read = wide.decode("metrics/counter", narrow.encodeToBytes(stored), Wide.class);

        assertEquals(123_456L, read.count);
        assertEquals(1.5, read.rate);
        assertTrue(chronicleExceptions.isEmpty(), "widening is silent: " + chronicleExceptions);
    }

    @Test
    void shouldTakeTheInitialValueAndWarnWhenAFieldChangedTypeIncompatibly()
    {
        // pins a documented limit: a type change is not tolerated, Chronicle logs and moves on
        final byte[] stored = oldBuild(1).encodeToBytes(new UserContextV1().userId("user/12").currentSession("s-3"));
        final TypedValues changed = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", SessionAsNumber.class, 1)), new MigrationRegistry());

        final SessionAsNumber read = changed.decode("user/12", stored, SessionAsNumber.class);

        assertEquals("user/12", read.userId);
        assertEquals(-1.0, read.currentSession);
        assertFalse(chronicleExceptions.isEmpty(), "Chronicle reports the unreadable field");
    }

    @Test
    void shouldRefuseATypeWhenItCannotBeStoredTolerantly()
    {
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WireCodec.of(USER_CONTEXT_CODEC_ID, "x", NoDefaultConstructor.class, 1))
            .getMessage().contains("needs a no-argument constructor"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WireCodec.of(USER_CONTEXT_CODEC_ID, "x", BinaryOnly.class, 1))
            .getMessage().contains("is not self-describing"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WireCodec.of(USER_CONTEXT_CODEC_ID, "x", SelfDescribingMarshallable.class, 1))
            .getMessage().contains("must be a concrete Marshallable class"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WireCodec.of(USER_CONTEXT_CODEC_ID, "x", UserContextV2.class, 2, 3))
            .getMessage().contains("oldestDecodableSchemaVersion=3"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WireCodec.of(USER_CONTEXT_CODEC_ID, "", UserContextV2.class, 1))
            .getMessage().contains("must have a name"));
    }

    public static class SessionAsNumber extends SelfDescribingMarshallable
    {
        String userId;
        double currentSession = -1.0;
    }

    public static class Narrow extends SelfDescribingMarshallable
    {
        int count;
        float rate;
    }

    public static class Wide extends SelfDescribingMarshallable
    {
        long count;
        double rate;
    }

    public static class NoDefaultConstructor extends SelfDescribingMarshallable
    {
        final String userId;

        public NoDefaultConstructor(final String userId)
        {
            this.userId = userId;
        }
    }

    public static class BinaryOnly extends BytesInBinaryMarshallable
    {
        long userId;
    }
}
