package dev.engram.examples.consciousness;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.MigrationRegistry;
import dev.engram.engine.MigrationReport;
import dev.engram.engine.TypedValues;
import dev.engram.engine.ValueEnvelope;
import dev.engram.engine.ValueEnvelopeDescriptor;
import dev.engram.examples.consciousness.PopulationHeaderDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.engram.examples.consciousness.ExampleTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The example's schema-evolution story: release 1 of the application stores population headers at schema
 * version 1; release 2 registers the version-2 codec and the migration, reads the old headers upgraded on the
 * fly, and {@code migrate()} rewrites them, after which every stored header is at version 2.
 */
class ConsciousnessMigrationTest
{
    private static final long SEED = Long.getLong("engram.test.seed", 77L);
    private static final int STEPS = 1500;

    @TempDir
    Path dir;

    @Test
    void shouldReadAppV1HeadersUpgradedAndRewriteThemAtV2WhenMigrated()
    {
        final ConsciousnessWorkload appV1 = new ConsciousnessWorkload(SEED, CI_SIZES, ConsciousnessWorkload.AppVersion.V1);
        final Map<String, byte[]> v1Model = appV1.modelAt(STEPS);
        final Map<String, byte[]> v2Model = appV1.modelAt(STEPS, PopulationHeaderCodec.SCHEMA_VERSION);

        // release 1: no version-2 header codec, no migration; headers written in the version-1 layout
        final EngramContext release1 = contextWithoutCodecs(400);
        ConsciousnessCodecs.registerAllButPopulationHeader(release1.codecs());
        try (Engram engram = Engram.open(dir, release1))
        {
            for (long s = 1; s <= STEPS; s++)
            {
                assertEquals(s, appV1.step(engram));
            }
            assertTrue(engram.awaitApplied(STEPS, 30, TimeUnit.SECONDS));
            assertStateEquals(v1Model, engram, "release 1");
            assertHeadersAt(1, engram, "release 1");
        }

        // release 2: registers the version-2 codec and the migration from version 1
        try (Engram engram = Engram.open(dir, context(400)))
        {
            assertEquals(STEPS, engram.recoveryReport().recoveredVersion());
            final TypedValues expected = typedValues();
            for (int id = 0; id < CI_SIZES.populations(); id++)
            {
                final String key = ConsciousnessKeys.populationHeader(id);
                final PopulationHeader read = engram.get(key, PopulationHeader.class);
                assertEquals(expected.decode(key, v2Model.get(key), PopulationHeader.class), read, key);
                assertEquals(PopulationHeaderCodec.V1_MUTATION_RATE, read.mutationRate(), key);
            }
            assertSummaryAgreesWithPopulations(engram, "release 2 reading release 1's headers");
            assertStateEquals(v1Model, engram, "reads upgrade in memory only");

            final long[] progress = {0};
            final MigrationReport report = engram.migrate(scanned -> progress[0] = scanned);
            assertEquals(v1Model.size(), report.scanned(), report.toString());
            assertEquals(CI_SIZES.populations(), report.migrated(), "every header, nothing else: " + report);
            assertEquals(0, report.skippedRaw(), "the example stores typed values only: " + report);
            assertEquals(v1Model.size(), progress[0]);
            assertEquals(1, report.deltas(), "every header in one batch (fewer than 1,000): " + report);
            assertEquals(STEPS + 1, report.lastVersion(), "one version per batch");
            assertTrue(engram.awaitApplied(report.lastVersion(), 30, TimeUnit.SECONDS));
            assertStateEquals(v2Model, engram, "after migrate");
            assertHeadersAt(PopulationHeaderCodec.SCHEMA_VERSION, engram, "after migrate");
            assertEquals(0, engram.migrate(scanned -> { }).migrated(), "nothing left to migrate");
            engram.checkpoint();
        }

        try (Engram engram = Engram.open(dir, context(400)))
        {
            assertEquals(STEPS + 1, engram.recoveryReport().recoveredVersion());
            assertStateEquals(v2Model, engram, "after migrate, checkpoint and reopen");
            assertHeadersAt(PopulationHeaderCodec.SCHEMA_VERSION, engram, "after reopen");
        }
    }

    private static void assertHeadersAt(final int schemaVersion, final Engram engram, final String when)
    {
        final ValueEnvelope envelope = new ValueEnvelope();
        final int payloadLength = schemaVersion == 1 ? PopulationHeaderDescriptor.V1_LENGTH : PopulationHeaderDescriptor.V2_LENGTH;
        int headers = 0;
        for (final String key : engram.keys(ConsciousnessKeys.POPULATION_PREFIX))
        {
            if (!ConsciousnessKeys.isPopulationHeader(key))
            {
                continue;
            }
            headers++;
            final byte[] value = engram.get(key);
            envelope.wrap(new UnsafeBuffer(value), 0, value.length);
            assertEquals(ValueEnvelope.Check.OK, envelope.verify(), when + ": " + key);
            assertEquals(PopulationHeaderCodec.ID, envelope.codecId(), when + ": " + key);
            assertEquals(schemaVersion, envelope.schemaVersion(), when + ": " + key);
            assertEquals(ValueEnvelopeDescriptor.HEADER_LENGTH + payloadLength, value.length, when + ": " + key);
        }
        assertEquals(CI_SIZES.populations(), headers, when);
    }

    private static TypedValues typedValues()
    {
        final CodecRegistry codecs = new CodecRegistry();
        final MigrationRegistry migrations = new MigrationRegistry();
        ConsciousnessCodecs.register(codecs, migrations);
        return new TypedValues(codecs, migrations);
    }
}
