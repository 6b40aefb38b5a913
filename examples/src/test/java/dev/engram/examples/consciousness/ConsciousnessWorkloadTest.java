package dev.engram.examples.consciousness;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.Engram;
import dev.engram.engine.MigrationRegistry;
import dev.engram.engine.TypedValues;
import dev.engram.engine.ValueEnvelope;
import dev.engram.engine.ValueEnvelopeDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.engram.examples.consciousness.ExampleTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class ConsciousnessWorkloadTest
{
    private static final long SEED = Long.getLong("engram.test.seed", 20_240_611L);

    @TempDir
    Path dir;

    @Test
    void shouldEqualTheModelAfterThousandsOfStepsLiveAndAfterReopen()
    {
        System.out.println("ConsciousnessWorkloadTest seed=" + SEED);
        final int steps = 4000;
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(SEED, CI_SIZES);
        final long startNs = System.nanoTime();
        try (Engram engram = Engram.open(dir, context(500)))
        {
            for (long s = 1; s <= steps; s++)
            {
                assertEquals(s, workload.nextStep());
                assertEquals(s, workload.step(engram), "one delta per step: version = step");
            }
            assertTrue(engram.awaitApplied(steps, 30, TimeUnit.SECONDS));
            final long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            final Map<String, byte[]> model = workload.modelAt(steps);
            assertStateEquals(model, engram, "live after " + steps + " steps");
            final long expectedCycles = (steps - CI_SIZES.populations()) / CI_SIZES.stepsPerCycle();
            assertEquals(expectedCycles, assertSummaryAgreesWithPopulations(engram, "live"));
            assertTrue(engram.metrics().snapshot().checkpoints() >= 1 || engram.checkpoint() != null);
            System.out.printf("%d steps written in %d ms; model: %d keys, %d bytes%n%s%n", steps, writeMs, model.size(),
                model.values().stream().mapToLong(v -> v.length).sum(), engram.metrics().snapshot().describe());
        }
        try (Engram engram = Engram.open(dir, context(500)))
        {
            assertEquals(steps, engram.recoveryReport().recoveredVersion(), engram.recoveryReport().describe());
            assertStateEquals(workload.modelAt(steps), engram, "after reopen");
            assertSummaryAgreesWithPopulations(engram, "after reopen");
        }
    }

    @Test
    void shouldContinueTheSameSequenceWhenResumedAfterTheEnginesVersion()
    {
        try (Engram engram = Engram.open(dir, context(300)))
        {
            final ConsciousnessWorkload first = new ConsciousnessWorkload(SEED, CI_SIZES);
            for (int i = 0; i < 700; i++)
            {
                first.step(engram);
            }
        }
        try (Engram engram = Engram.open(dir, context(300)))
        {
            final long recovered = engram.recoveryReport().recoveredVersion();
            assertEquals(700, recovered);
            final ConsciousnessWorkload second = new ConsciousnessWorkload(SEED, CI_SIZES).resumeAfter(900);
            second.resumeAfter(recovered); // behind: replays from step 1
            assertEquals(701, second.nextStep());
            long last = 0;
            for (int i = 0; i < 600; i++)
            {
                last = second.step(engram);
            }
            assertEquals(1300, last);
            assertTrue(engram.awaitApplied(last, 30, TimeUnit.SECONDS));
            assertStateEquals(second.modelAt(1300), engram, "resumed at 701");
        }
    }

    @Test
    void shouldDependOnlyOnSeedAndStep()
    {
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(SEED, CI_SIZES);
        final ReferenceModel growing = workload.newModel();
        final Map<String, byte[]> at1000 = copy(growing.advanceTo(1000).state());
        assertEquals(1000, growing.step());
        assertModelsEqual(workload.modelAt(1000), at1000);
        assertModelsEqual(new ConsciousnessWorkload(SEED, CI_SIZES).modelAt(2000), copy(growing.advanceTo(2000).state()));
        assertThrows(IllegalArgumentException.class, () -> growing.advanceTo(1999));

        final Map<String, byte[]> other = new ConsciousnessWorkload(SEED + 1, CI_SIZES).modelAt(1000);
        assertFalse(Arrays.equals(at1000.get(ConsciousnessKeys.populationWeights(0)), other.get(ConsciousnessKeys.populationWeights(0))),
            "another seed gives other weights");
    }

    @Test
    void shouldRoundTripEveryStoredValueThroughItsCodec()
    {
        final Map<String, byte[]> model = new ConsciousnessWorkload(SEED, CI_SIZES).modelAt(3000);
        final CodecRegistry codecs = new CodecRegistry();
        final MigrationRegistry migrations = new MigrationRegistry();
        ConsciousnessCodecs.register(codecs, migrations);
        final TypedValues typed = new TypedValues(codecs, migrations);
        final Map<Class<?>, Integer> counts = new HashMap<>();
        boolean sawSession = false;
        boolean sawNoSession = false;
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            final String key = entry.getKey();
            final Class<?> type = typeOf(key);
            final Object value = typed.decode(key, entry.getValue(), type);
            assertArrayEquals(entry.getValue(), typed.encodeToBytes(value), () -> "re-encoded key=" + key);
            counts.merge(type, 1, Integer::sum);
            if (value instanceof UserContext context)
            {
                assertEquals("u" + key.substring(ConsciousnessKeys.USER_PREFIX.length()), context.userId());
                assertEquals(ConsciousnessSteps.DOMAINS.length, context.skillLevels().size());
                assertEquals(3, context.learningPreferences().size());
                sawSession |= context.currentSession() != null;
                sawNoSession |= context.currentSession() == null;
                if (context.currentSession() != null)
                {
                    assertTrue(context.currentSession().sessionId().startsWith("s-"), context.toString());
                    assertEquals(context.currentSession().topic(), context.recentTopics().get(context.recentTopics().size() - 1));
                }
            }
            if (value instanceof float[] weights)
            {
                assertEquals(CI_SIZES.weightsPerPopulation(), weights.length);
                for (final float w : weights)
                {
                    assertTrue(w >= -1 && w < 1, () -> "weight out of range in key=" + key);
                }
            }
        }
        assertTrue(sawSession && sawNoSession, "users with and without a current session");
        assertEquals(CI_SIZES.populations(), counts.get(PopulationHeader.class));
        assertEquals(CI_SIZES.populations(), counts.get(float[].class));
        assertEquals(1, counts.get(SystemMetrics.class));
        assertEquals(1, counts.get(ConsciousnessSummary.class));
        assertEquals(1, counts.get(ActiveNeuralGroups.class));
        assertTrue(counts.get(UserContext.class) > 50, "users: " + counts.get(UserContext.class));
    }

    @Test
    void shouldShapeStepsLikeTheUsersWorld()
    {
        final ConsciousnessWorkload.Sizes sizes = new ConsciousnessWorkload.Sizes(16, 128 * 1024, 2000, 50);
        final ConsciousnessSteps steps = new ConsciousnessSteps(SEED, sizes, ConsciousnessWorkload.AppVersion.V2);
        final Recorder recorder = new Recorder();
        final int total = 20_000;
        final int[] userPuts = new int[sizes.users()];
        long userDeletes = 0;
        long metricsPuts = 0;
        long cycles = 0;
        long replacements = 0;
        for (long s = 1; s <= total; s++)
        {
            recorder.ops.clear();
            assertEquals(s, steps.generateNext(recorder));
            final List<Object[]> ops = recorder.ops;
            assertFalse(ops.isEmpty(), "step " + s + " has ops");
            if (s <= sizes.populations())
            {
                assertEquals(2, ops.size(), "a creation step puts the header and the weights");
                continue;
            }
            if ((s - sizes.populations()) % sizes.stepsPerCycle() == 0)
            {
                cycles++;
                final Map<String, Long> patchedBytes = new HashMap<>();
                int headers = 0;
                for (final Object[] op : ops)
                {
                    final String key = (String)op[1];
                    if ("patch".equals(op[0]))
                    {
                        final long offset = (long)op[2];
                        final int length = ((byte[])op[3]).length;
                        assertTrue(length >= 64 && length <= 4096 && length % 4 == 0, "patch length " + length);
                        assertEquals(0, (offset - ValueEnvelopeDescriptor.HEADER_LENGTH) % 4, "whole weights");
                        assertTrue(offset >= ValueEnvelopeDescriptor.HEADER_LENGTH &&
                            offset + length <= ValueEnvelopeDescriptor.HEADER_LENGTH + sizes.populationBytes(), "inside the weights");
                        patchedBytes.merge(key, (long)length, Long::sum);
                    }
                    else if ("put".equals(op[0]) && op[2] instanceof float[])
                    {
                        replacements++;
                    }
                    else if ("header".equals(op[0]))
                    {
                        headers++;
                    }
                }
                final ActiveNeuralGroups groups = (ActiveNeuralGroups)ops.get(ops.size() - 2)[2];
                final ConsciousnessSummary summary = (ConsciousnessSummary)ops.get(ops.size() - 1)[2];
                assertEquals(cycles, summary.evolutionCycleCount());
                assertEquals(groups.populationIds().size(), headers, "a header per active population");
                assertTrue(headers >= sizes.populations() / 4 && headers <= sizes.populations() / 2, "active " + headers);
                for (final long bytes : patchedBytes.values())
                {
                    assertTrue(bytes >= 0.01 * sizes.populationBytes() && bytes < 0.05 * sizes.populationBytes() + 4096,
                        "1-5 % of the weights rewritten per evolving population: " + bytes);
                }
                continue;
            }
            assertEquals(1, ops.size(), "a small step has one op");
            final Object[] op = ops.get(0);
            if ("delete".equals(op[0]))
            {
                userDeletes++;
            }
            else if (op[2] instanceof SystemMetrics)
            {
                metricsPuts++;
            }
            else
            {
                userPuts[Integer.parseInt(((String)op[1]).substring(ConsciousnessKeys.USER_PREFIX.length()))]++;
            }
        }
        final long small = total - sizes.populations() - cycles;
        final long userSteps = Arrays.stream(userPuts).sum() + userDeletes;
        assertEquals(small, userSteps + metricsPuts);
        assertEquals(0.8, userSteps / (double)small, 0.02, "80 % of small steps change a user");
        assertTrue(userDeletes > 0, "users leave");
        assertTrue(replacements > cycles / 10 && replacements < cycles / 3, "about one cycle in five replaces a population: " + replacements);
        final int[] sorted = userPuts.clone();
        Arrays.sort(sorted);
        assertTrue(userPuts[0] > 20 * sorted[sorted.length / 2], "Zipf: user 0 is hot: " + userPuts[0] + " vs median " + sorted[sorted.length / 2]);
    }

    @Test
    void shouldParseSizesFromFlagsAndRefuseBadOnes()
    {
        assertEquals(ConsciousnessWorkload.Sizes.DEFAULT, ConsciousnessWorkload.Sizes.parse());
        assertEquals(new ConsciousnessWorkload.Sizes(8, 64 * 1024, 500, 20),
            ConsciousnessWorkload.Sizes.parse("--populations=8", "--population-bytes=64KiB", "--users=500", "--steps-per-cycle=20"));
        assertEquals(4 << 20, ConsciousnessWorkload.Sizes.parse("--population-bytes=4m").populationBytes());
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> ConsciousnessWorkload.Sizes.parse("--neurons=5"));
        assertTrue(unknown.getMessage().contains("--neurons=5") && unknown.getMessage().contains("--populations"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConsciousnessWorkload.Sizes.parse("--users=many"));
        assertThrows(IllegalArgumentException.class, () -> ConsciousnessWorkload.Sizes.parse("--population-bytes=1000"));
        assertThrows(IllegalArgumentException.class, () -> new ConsciousnessWorkload.Sizes(0, 4096, 1, 1));
        assertTrue(ConsciousnessWorkload.Sizes.DEFAULT.maxCycleDeltaLength() < 16 << 20, "default cycles fit the default maxDeltaLength");
        assertThrows(IllegalArgumentException.class, () -> new ConsciousnessWorkload(1, CI_SIZES).modelAt(10, 1),
            "the current release's headers cannot be stored at schema version 1");
    }

    @Test
    void shouldRefuseToStepAfterAFailedStepUntilResumed()
    {
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(SEED, CI_SIZES);
        final Engram engram;
        try (Engram open = Engram.open(dir, context(500)))
        {
            engram = open;
            workload.step(open);
        }
        assertThrows(IllegalStateException.class, () -> workload.step(engram), "the engine is closed");
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> workload.step(engram));
        assertTrue(refused.getMessage().contains("resumeAfter"), refused.getMessage());
        try (Engram open = Engram.open(dir, context(500)))
        {
            assertEquals(2, workload.resumeAfter(open.recoveryReport().recoveredVersion()).step(open));
            assertTrue(open.awaitApplied(2, 60, TimeUnit.SECONDS));
            assertStateEquals(workload.modelAt(2), open, "after resume");
            final byte[] header = open.get(ConsciousnessKeys.populationHeader(1));
            assertEquals(PopulationHeaderCodec.SCHEMA_VERSION, new ValueEnvelope().wrap(new UnsafeBuffer(header), 0, header.length).schemaVersion());
        }
    }

    private static Class<?> typeOf(final String key)
    {
        if (ConsciousnessKeys.isPopulationHeader(key))
        {
            return PopulationHeader.class;
        }
        if (key.startsWith(ConsciousnessKeys.POPULATION_PREFIX))
        {
            return float[].class;
        }
        if (key.startsWith(ConsciousnessKeys.USER_PREFIX))
        {
            return UserContext.class;
        }
        return switch (key)
        {
            case ConsciousnessKeys.SYSTEM_METRICS -> SystemMetrics.class;
            case ConsciousnessKeys.CONSCIOUSNESS -> ConsciousnessSummary.class;
            case ConsciousnessKeys.ACTIVE_GROUPS -> ActiveNeuralGroups.class;
            default -> throw new AssertionError("unexpected key=" + key);
        };
    }

    private static Map<String, byte[]> copy(final Map<String, byte[]> state)
    {
        final Map<String, byte[]> copy = new HashMap<>();
        state.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    private static void assertModelsEqual(final Map<String, byte[]> expected, final Map<String, byte[]> actual)
    {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    /** Records ops as {kind, key, value-or-offset, data}. */
    private static final class Recorder implements StepOps
    {
        final List<Object[]> ops = new ArrayList<>();

        @Override
        public void putHeader(final String key, final PopulationHeader header)
        {
            ops.add(new Object[] {"header", key, header});
        }

        @Override
        public void put(final String key, final Object value)
        {
            ops.add(new Object[] {"put", key, value});
        }

        @Override
        public void patch(final String key, final long offset, final byte[] data)
        {
            ops.add(new Object[] {"patch", key, offset, data});
        }

        @Override
        public void delete(final String key)
        {
            ops.add(new Object[] {"delete", key});
        }
    }
}
