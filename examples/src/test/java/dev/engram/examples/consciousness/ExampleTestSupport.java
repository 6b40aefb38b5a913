package dev.engram.examples.consciousness;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.SyncPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sizes, contexts and state comparisons shared by the example's tests.
 */
final class ExampleTestSupport
{
    /** Scaled down for CI: 8 populations of 64 KiB of weights, 500 users, a cycle every 20 steps. */
    static final ConsciousnessWorkload.Sizes CI_SIZES = new ConsciousnessWorkload.Sizes(8, 64 * 1024, 500, 20);

    private ExampleTestSupport()
    {
    }

    /** A context with the example's codecs, checkpoints every {@code checkpointEveryFrames}, no snapshot index. */
    static EngramContext context(final long checkpointEveryFrames)
    {
        return ConsciousnessCodecs.register(contextWithoutCodecs(checkpointEveryFrames));
    }

    /** As {@link #context(long)}, with only the built-in codecs registered. */
    static EngramContext contextWithoutCodecs(final long checkpointEveryFrames)
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20)
            .checkpointEveryFrames(checkpointEveryFrames).checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        return ctx;
    }

    /** The engine holds exactly the model's keys, each with the model's bytes ({@link StateVerifier}). */
    static void assertStateEquals(final Map<String, byte[]> model, final Engram engram, final String when)
    {
        final StateVerifier.Verification verification = StateVerifier.verify(engram, model);
        assertTrue(verification.passed(), () -> when + ": " + verification.describe());
    }

    /**
     * The summary describes the populations of the active groups, which are at the summary's cycle: the three
     * were written in one delta, so they must agree in any state the engine shows.
     *
     * @return the summary's evolution cycle count (0 before the first cycle).
     */
    static long assertSummaryAgreesWithPopulations(final Engram engram, final String when)
    {
        final ConsciousnessSummary summary = engram.get(ConsciousnessKeys.CONSCIOUSNESS, ConsciousnessSummary.class);
        final ActiveNeuralGroups groups = engram.get(ConsciousnessKeys.ACTIVE_GROUPS, ActiveNeuralGroups.class);
        if (summary == null)
        {
            assertNull(groups, when + ": active groups without a summary");
            return 0;
        }
        assertNotNull(groups, when + ": a summary without active groups");
        assertEquals(summary.evolutionCycleCount(), groups.evolutionCycle(), when);
        assertFalse(groups.populationIds().isEmpty(), when);
        long lastEvolutionMs = -1;
        double fitnessSum = 0;
        for (final int id : groups.populationIds())
        {
            final PopulationHeader header = engram.get(ConsciousnessKeys.populationHeader(id), PopulationHeader.class);
            assertNotNull(header, when + ": active population " + id + " has no header");
            if (lastEvolutionMs < 0)
            {
                lastEvolutionMs = header.lastEvolutionMs();
            }
            assertEquals(lastEvolutionMs, header.lastEvolutionMs(), when + ": active populations of one cycle evolved at one time");
            fitnessSum += header.fitnessAverage();
        }
        assertEquals(fitnessSum / groups.populationIds().size(), summary.level(), when + ": level = mean fitness of the active populations");
        return summary.evolutionCycleCount();
    }

    static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
