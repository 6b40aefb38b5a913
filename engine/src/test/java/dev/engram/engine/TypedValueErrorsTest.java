package dev.engram.engine;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.engram.engine.TypedValuesTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every way a read or a registration can fail, each with a message that names what and why.
 */
class TypedValueErrorsTest
{
    private final TypedValues values = new TypedValues(
        new CodecRegistry().register(PopulationHeaderCodec.INSTANCE), new MigrationRegistry());

    @Test
    void shouldNameTheKeyWhenAValueHasNoEnvelope()
    {
        final byte[] raw = "{\"cpu\":0.5}".getBytes(StandardCharsets.UTF_8);

        final EnvelopeException ex = assertThrows(EnvelopeException.class, () -> values.decode("metrics/system", raw, String.class));

        assertEquals("metrics/system", ex.key());
        assertEquals(ValueEnvelope.Check.BAD_MAGIC, ex.check());
        assertTrue(ex.getMessage().startsWith("value key=metrics/system has no valid value envelope"), ex.getMessage());
        assertTrue(ex.getMessage().contains("firstByte=0x7b"), ex.getMessage());
        assertTrue(ex.getMessage().contains("must be read as raw bytes"), ex.getMessage());
    }

    @Test
    void shouldNameTheKeyWhenAValueIsShorterThanAnEnvelope()
    {
        final EnvelopeException ex = assertThrows(EnvelopeException.class,
            () -> values.decode("user/1", new byte[] {(byte)0xE7, 1, 2}, String.class));

        assertEquals(ValueEnvelope.Check.TOO_SHORT, ex.check());
        assertTrue(ex.getMessage().contains("key=user/1"), ex.getMessage());
        assertTrue(ex.getMessage().contains("length=3"), ex.getMessage());
        assertEquals(ValueEnvelope.Check.TOO_SHORT,
            assertThrows(EnvelopeException.class, () -> values.decode("user/1", new byte[0], String.class)).check());
    }

    @Test
    void shouldRefuseAValueWhenItsEnvelopeFormatIsNewer()
    {
        final byte[] stored = values.encodeToBytes("hello");
        stored[ValueEnvelopeDescriptor.FORMAT_VERSION_OFFSET] = 2;

        final EnvelopeException ex = assertThrows(EnvelopeException.class, () -> values.decode("greeting", stored, String.class));

        assertEquals(ValueEnvelope.Check.NEWER_FORMAT_VERSION, ex.check());
        assertTrue(ex.getMessage().contains("key=greeting has envelope format version=2, this code knows up to 1"),
            ex.getMessage());
        assertThrows(EnvelopeException.class, () -> values.needsMigration("greeting", new UnsafeBuffer(stored), 0, stored.length));
    }

    @Test
    void shouldNameTheIdAndTheKeyWhenTheCodecIsUnknown()
    {
        final TypedValues writer = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 1)), new MigrationRegistry());
        final byte[] stored = writer.encodeToBytes(new UserContextV2().userId("user/3"));

        final UnknownCodecException ex = assertThrows(UnknownCodecException.class,
            () -> values.decode("user/3", stored, UserContextV2.class));

        assertEquals(USER_CONTEXT_CODEC_ID, ex.codecId());
        assertEquals("user/3", ex.key());
        assertTrue(ex.getMessage().contains("key=user/3 was written by codec id=300, which is not registered"), ex.getMessage());
        assertTrue(ex.getMessage().contains("registered ids=[1, 2, 256]"), ex.getMessage());
        assertThrows(UnknownCodecException.class, () -> values.upgrade("user/3", new UnsafeBuffer(stored), 0, stored.length));
    }

    @Test
    void shouldRefuseAValueWhenItsSchemaVersionIsNewerThanTheCodecKnows()
    {
        final byte[] fromV3 = new TypedValues(new CodecRegistry().register(new PopulationHeaderV3Codec()), new MigrationRegistry())
            .encodeToBytes(new PopulationHeaderV3(header(), 1));

        final SchemaVersionException ex = assertThrows(SchemaVersionException.class,
            () -> values.decode("population/8", fromV3, PopulationHeader.class));

        assertEquals("value key=population/8 codec id=256 name=population-header was written by a newer schema" +
            " version=3, this code knows up to 2: upgrade the application before reading it", ex.getMessage());
        assertThrows(SchemaVersionException.class,
            () -> values.needsMigration("population/8", new UnsafeBuffer(fromV3), 0, fromV3.length));
    }

    @Test
    void shouldNameTheGapWhenAMigrationStepIsMissing()
    {
        final TypedValues v3WithoutFirstStep = new TypedValues(new CodecRegistry().register(new PopulationHeaderV3Codec()),
            new MigrationRegistry().register(PopulationHeaderV3Codec.migrationFromV2()));
        final TypedValues v3WithoutSecondStep = new TypedValues(new CodecRegistry().register(new PopulationHeaderV3Codec()),
            new MigrationRegistry().register(PopulationHeaderCodec.migrationFromV1()));
        final byte[] v1 = populationHeaderV1Value(header());

        final MissingMigrationException first = assertThrows(MissingMigrationException.class,
            () -> v3WithoutFirstStep.decode("population/9", v1, PopulationHeaderV3.class));
        assertEquals(1, first.fromVersion());
        assertTrue(first.getMessage().contains("key=population/9 codec id=256 name=population-header was written by" +
            " schema version=1; no migration from version=1 to version=2 is registered"), first.getMessage());
        assertTrue(first.getMessage().contains("Migration.of(256, 1, ...)"), first.getMessage());

        final MissingMigrationException second = assertThrows(MissingMigrationException.class,
            () -> v3WithoutSecondStep.decode("population/9", v1, PopulationHeaderV3.class));
        assertEquals(2, second.fromVersion());
        assertTrue(second.getMessage().contains("written by schema version=1; no migration from version=2 to version=3"),
            second.getMessage());
        assertThrows(MissingMigrationException.class,
            () -> v3WithoutSecondStep.upgrade("population/9", new UnsafeBuffer(v1), 0, v1.length));
    }

    @Test
    void shouldNameBothTypesWhenTheRequestedClassDoesNotMatchTheCodec()
    {
        final byte[] stored = values.encodeToBytes("not a header");

        final TypeMismatchException ex = assertThrows(TypeMismatchException.class,
            () -> values.decode("population/10", stored, PopulationHeader.class));

        assertEquals("value key=population/10 holds codec id=2 name=utf8-string type=java.lang.String," +
            " requested type=dev.engram.engine.PopulationHeader", ex.getMessage());
    }

    @Test
    void shouldNameTheKeyAndCodecWhenThePayloadCannotBeDecoded()
    {
        final byte[] stored = values.encodeToBytes(header());
        final byte[] truncated = java.util.Arrays.copyOf(stored, stored.length - 4);

        final ValueDecodeException ex = assertThrows(ValueDecodeException.class,
            () -> values.decode("population/11", truncated, PopulationHeader.class));

        assertTrue(ex.getMessage().contains("key=population/11 codec id=256 name=population-header schema version=2"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("length=48, expected length=52"), ex.getMessage());
        assertInstanceOf(IllegalArgumentException.class, ex.getCause());
    }

    @Test
    void shouldNameTheStepWhenAMigrationFails()
    {
        final byte[] v1 = populationHeaderV1Value(header());
        final byte[] truncated = java.util.Arrays.copyOf(v1, v1.length - 1);
        final TypedValues v2Build = new TypedValues(new CodecRegistry().register(PopulationHeaderCodec.INSTANCE),
            new MigrationRegistry().register(PopulationHeaderCodec.migrationFromV1()));

        final ValueDecodeException ex = assertThrows(ValueDecodeException.class,
            () -> v2Build.decode("population/12", truncated, PopulationHeader.class));

        assertTrue(ex.getMessage().contains("schema version=1: migration 1->2 failed"), ex.getMessage());
        assertTrue(ex.getMessage().contains("length=43, expected length=44"), ex.getMessage());
    }

    @Test
    void shouldRefuseAValueWhenItHasNoCodecOrIsNull()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> values.encodeToBytes(42))
            .getMessage().contains("no codec is registered for type=java.lang.Integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> values.encode(null, new ExpandableArrayBuffer(), 0))
            .getMessage().contains("value must not be null"));
        assertThrows(IllegalArgumentException.class, () -> values.decode("k", (byte[])null, String.class));
        assertThrows(IllegalArgumentException.class, () -> values.decode("k", new byte[8], null));
    }

    @Test
    void shouldRefuseARegistrationWhenItClashesOrUsesAReservedId()
    {
        final CodecRegistry registry = new CodecRegistry().register(PopulationHeaderCodec.INSTANCE);

        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> registry.register(WireCodec.of(3, "early", UserContextV2.class, 1)))
            .getMessage().contains("id=3 is reserved for built-in codecs"));
        assertTrue(assertThrows(IllegalStateException.class, () -> registry.register(new PopulationHeaderV3Codec()))
            .getMessage().contains("codec id=256 is already registered to name=population-header"));
        registry.register(WireCodec.of(400, "user-context", UserContextV2.class, 1));
        assertTrue(assertThrows(IllegalStateException.class,
            () -> registry.register(WireCodec.of(401, "user-context-again", UserContextV2.class, 1)))
            .getMessage().contains("type=dev.engram.engine.UserContextV2 already has codec id=400"));
        assertArrayEquals(new int[] {1, 2, 256, 400}, registry.codecIds());
        assertSame(PopulationHeaderCodec.INSTANCE, registry.codec(256));
        assertSame(PopulationHeaderCodec.INSTANCE, registry.codecFor(PopulationHeader.class));
        assertNull(registry.codec(401));

        final MigrationRegistry migrations = new MigrationRegistry().register(PopulationHeaderCodec.migrationFromV1());
        assertTrue(assertThrows(IllegalStateException.class, () -> migrations.register(PopulationHeaderCodec.migrationFromV1()))
            .getMessage().contains("codecId=256 fromVersion=1 is already registered"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Migration.of(256, 0, (p, o, l, out) -> 0))
            .getMessage().contains("fromVersion=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Migration.of(256, 1, null))
            .getMessage().contains("must not be null"));
    }
}
