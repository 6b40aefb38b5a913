package dev.engram.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.engram.engine.TypedValuesTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Population headers written by three builds of an application: v1 (44 bytes, no mutation rate), v2
 * (this code's {@link PopulationHeaderCodec}) and v3 ({@link PopulationHeaderV3Codec}, adds the parent id).
 */
class MigrationChainTest
{
    private static TypedValues v3Build(final MigrationRegistry migrations)
    {
        return new TypedValues(new CodecRegistry().register(new PopulationHeaderV3Codec()), migrations);
    }

    private static MigrationRegistry fullChain()
    {
        return new MigrationRegistry()
            .register(PopulationHeaderCodec.migrationFromV1())
            .register(PopulationHeaderV3Codec.migrationFromV2());
    }

    @Test
    void shouldApplyEveryStepWhenReadingAV1ValueWithV3Code()
    {
        final PopulationHeader original = header();
        final byte[] v1 = populationHeaderV1Value(original);

        final PopulationHeaderV3 read = v3Build(fullChain()).decode("population/3", v1, PopulationHeaderV3.class);

        assertEquals(withMutationRate(original, PopulationHeaderCodec.V1_MUTATION_RATE), read.header());
        assertEquals(PopulationHeaderV3.NO_PARENT, read.parentPopulationId());
    }

    @Test
    void shouldApplyTheStepsInOrderFromTheStoredVersion()
    {
        final List<String> applied = new ArrayList<>();
        final MigrationRegistry traced = new MigrationRegistry()
            .register(Migration.of(PopulationHeaderCodec.ID, 1, (payload, offset, length, out) ->
            {
                applied.add("1->2");
                return PopulationHeaderCodec.migrationFromV1().apply(payload, offset, length, out);
            }))
            .register(Migration.of(PopulationHeaderCodec.ID, 2, (payload, offset, length, out) ->
            {
                applied.add("2->3");
                return PopulationHeaderV3Codec.migrationFromV2().apply(payload, offset, length, out);
            }));
        final TypedValues values = v3Build(traced);
        final TypedValues v2Build = new TypedValues(new CodecRegistry().register(PopulationHeaderCodec.INSTANCE), traced);

        values.decode("population/1", populationHeaderV1Value(header()), PopulationHeaderV3.class);
        assertEquals(List.of("1->2", "2->3"), applied);

        applied.clear();
        values.decode("population/2", v2Build.encodeToBytes(header()), PopulationHeaderV3.class);
        assertEquals(List.of("2->3"), applied, "a v2 value starts at the v2 step");

        applied.clear();
        final PopulationHeaderV3 current = new PopulationHeaderV3(header(), 5);
        assertEquals(current, values.decode("population/3", values.encodeToBytes(current), PopulationHeaderV3.class));
        assertEquals(List.of(), applied, "a current value is not migrated");
    }

    @Test
    void shouldMigrateAV1ValueToV2WithTheShippedStep()
    {
        final TypedValues v2Build = new TypedValues(new CodecRegistry().register(PopulationHeaderCodec.INSTANCE),
            new MigrationRegistry().register(PopulationHeaderCodec.migrationFromV1()));

        assertEquals(withMutationRate(header(), PopulationHeaderCodec.V1_MUTATION_RATE),
            v2Build.decode("population/4", populationHeaderV1Value(header()), PopulationHeader.class));
    }

    @Test
    void shouldRewriteOldValuesAtTheCurrentVersionWhenUpgraded()
    {
        final TypedValues values = v3Build(fullChain());
        final byte[] v1 = populationHeaderV1Value(header());
        final UnsafeBuffer stored = new UnsafeBuffer(v1);

        assertTrue(values.needsMigration("population/5", stored, 0, v1.length));
        final byte[] upgraded = values.upgrade("population/5", stored, 0, v1.length);

        assertEquals(ValueEnvelopeDescriptor.HEADER_LENGTH + PopulationHeaderV3Codec.V3_LENGTH, upgraded.length);
        final UnsafeBuffer upgradedBuffer = new UnsafeBuffer(upgraded);
        assertEquals(3, values.envelope("population/5", upgradedBuffer, 0, upgraded.length).schemaVersion());
        assertFalse(values.needsMigration("population/5", upgradedBuffer, 0, upgraded.length));
        assertNull(values.upgrade("population/5", upgradedBuffer, 0, upgraded.length), "null when current");
        assertEquals(values.decode("population/5", v1, PopulationHeaderV3.class),
            values.decode("population/5", upgraded, PopulationHeaderV3.class));
    }

    @Test
    void shouldUpgradeAValueInsideALargerBufferWithoutTouchingIt()
    {
        final TypedValues values = v3Build(fullChain());
        final byte[] v1 = populationHeaderV1Value(header());
        final byte[] framed = new byte[v1.length + 20];
        System.arraycopy(v1, 0, framed, 11, v1.length);
        final byte[] before = framed.clone();

        final byte[] upgraded = values.upgrade("population/6", new UnsafeBuffer(framed), 11, v1.length);

        assertArrayEquals(before, framed);
        assertEquals(PopulationHeaderV3.NO_PARENT, values.decode("population/6", upgraded, PopulationHeaderV3.class).parentPopulationId());
    }

    @Test
    void shouldMigrateWithByteArrayStepsToo()
    {
        final MigrationRegistry migrations = new MigrationRegistry()
            .register(Migration.ofBytes(PopulationHeaderCodec.ID, 1, payload ->
            {
                final byte[] v2 = java.util.Arrays.copyOf(payload, PopulationHeaderDescriptor.V2_LENGTH);
                new UnsafeBuffer(v2).putDouble(PopulationHeaderDescriptor.MUTATION_RATE_OFFSET, 0.5, java.nio.ByteOrder.LITTLE_ENDIAN);
                return v2;
            }))
            .register(PopulationHeaderV3Codec.migrationFromV2());

        assertEquals(0.5, v3Build(migrations)
            .decode("population/7", populationHeaderV1Value(header()), PopulationHeaderV3.class).header().mutationRate());
    }

    @Test
    void shouldUseTheStepsWhenAToleratingCodecHasThemAndReadDirectlyWhenNoLaterStepIsSkipped()
    {
        // a Wire codec at version 3 reading 1..3 directly, with a 2->3 step (say a rename): a v2 value takes
        // the step, a v1 value cannot be read directly (that would skip the 2->3 step) and the gap is named
        final MigrationRegistry migrations = new MigrationRegistry()
            .register(Migration.of(USER_CONTEXT_CODEC_ID, 2, (payload, offset, length, out) ->
            {
                final UserContextV2 old = WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 2)
                    .decode(payload, offset, length, 2);
                old.currentSession = old.currentSession == null ? null : "renamed-" + old.currentSession;
                return WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 3).encode(old, out, 0);
            }));
        final TypedValues v3 = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 3)), migrations);
        final TypedValues v2 = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV2.class, 2)), new MigrationRegistry());
        final TypedValues v1 = new TypedValues(new CodecRegistry()
            .register(WireCodec.of(USER_CONTEXT_CODEC_ID, "user-context", UserContextV1.class, 1)), new MigrationRegistry());

        final byte[] fromV2 = v2.encodeToBytes(new UserContextV2().userId("user/1").currentSession("s"));
        assertEquals("renamed-s", v3.decode("user/1", fromV2, UserContextV2.class).currentSession);

        final byte[] fromV1 = v1.encodeToBytes(new UserContextV1().userId("user/2").currentSession("s"));
        final MissingMigrationException ex = assertThrows(MissingMigrationException.class,
            () -> v3.decode("user/2", fromV1, UserContextV2.class));
        assertEquals(1, ex.fromVersion());
        assertTrue(ex.getMessage().contains("no migration from version=1 to version=2"), ex.getMessage());

        migrations.register(Migration.of(USER_CONTEXT_CODEC_ID, 1, (payload, offset, length, out) ->
        {
            out.putBytes(0, payload, offset, length); // v1 -> v2 needs no change: the codec tolerates it
            return length;
        }));
        assertEquals("renamed-s", v3.decode("user/2", fromV1, UserContextV2.class).currentSession);
    }
}
