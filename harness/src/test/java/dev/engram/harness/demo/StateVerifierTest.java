package dev.engram.harness.demo;

import dev.engram.engine.Engram;
import dev.engram.examples.consciousness.ConsciousnessKeys;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.examples.consciousness.StateVerifier;
import dev.engram.examples.consciousness.StateVerifier.Verification;
import dev.engram.journal.SyncPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The demo's verifier must be able to fail: against a model one step off, with one byte changed, with a key
 * missing or added, or of another seed, it reports the mismatch (and names it); against the right model it
 * passes. The state is written by the example workload (with a checkpoint in the middle) and reopened, as the
 * demo's recoverer sees it.
 */
class StateVerifierTest
{
    private static final Sizes SIZES = new Sizes(4, 16 * 1024, 200, 20);
    private static final int STEPS = 600;
    private static final long SEED = Long.getLong("engram.test.seed", 7);

    private static Path dir;
    private static Engram engram;
    private static long recovered;

    @BeforeAll
    static void writeAndReopen() throws IOException
    {
        dir = Files.createTempDirectory(Path.of("target"), "verifier-");
        System.out.println("StateVerifierTest seed=" + SEED + " dir=" + dir);
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(SEED, SIZES);
        try (Engram writer = Engram.open(dir, DemoEngine.context(SIZES, 1_000_000, SyncPolicy.ASYNC, true)))
        {
            long version = 0;
            for (int i = 0; i < STEPS; i++)
            {
                version = workload.step(writer);
                if (i == STEPS / 2)
                {
                    assertTrue(writer.awaitApplied(version, 60, TimeUnit.SECONDS));
                    writer.checkpoint();
                }
            }
            assertEquals(STEPS, version);
        }
        engram = Engram.open(dir, DemoEngine.context(SIZES, 1_000_000, SyncPolicy.ASYNC, true));
        recovered = engram.recoveryReport().recoveredVersion();
        assertEquals(STEPS, recovered);
    }

    @AfterAll
    static void close() throws IOException
    {
        if (engram != null)
        {
            engram.close();
        }
        try (var paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    private static Map<String, byte[]> modelAt(final long step)
    {
        return new HashMap<>(new ConsciousnessWorkload(SEED, SIZES).modelAt(step));
    }

    @Test
    void shouldPassAgainstTheModelAtTheRecoveredVersion()
    {
        final Map<String, byte[]> model = modelAt(recovered);
        final Verification verification = StateVerifier.verify(engram, model);
        assertTrue(verification.passed(), verification.describe());
        assertEquals(model.size(), verification.keysFound());
        assertTrue(verification.bytesCompared() >= SIZES.populations() * (long)SIZES.populationBytes(), verification.describe());
    }

    @Test
    void shouldFailWhenTheModelIsOneStepBehind()
    {
        final Verification verification = StateVerifier.verify(engram, modelAt(recovered - 1));
        assertFalse(verification.passed(), verification.describe());
        assertTrue(verification.differing() + verification.extra() + verification.missing() >= 1, verification.describe());
        assertTrue(verification.describe().startsWith("FAILED"), verification.describe());
    }

    @Test
    void shouldNameTheKeyAndByteWhenOneByteDiffers()
    {
        final Map<String, byte[]> model = modelAt(recovered);
        final String key = ConsciousnessKeys.populationWeights(2);
        final byte[] changed = model.get(key).clone();
        changed[12_345] ^= 1;
        model.put(key, changed);
        final Verification verification = StateVerifier.verify(engram, model);
        assertFalse(verification.passed());
        assertEquals(1, verification.differing(), verification.describe());
        assertEquals(0, verification.missing() + verification.extra(), verification.describe());
        assertTrue(verification.differingNamed().get(0).startsWith(key + " at byte 12345"), verification.describe());
    }

    @Test
    void shouldReportAKeyTheEngineHasButTheModelLacks()
    {
        final Map<String, byte[]> model = modelAt(recovered);
        assertNotNull(model.remove(ConsciousnessKeys.SYSTEM_METRICS));
        final Verification verification = StateVerifier.verify(engram, model);
        assertFalse(verification.passed());
        assertEquals(1, verification.extra(), verification.describe());
        assertTrue(verification.extraNamed().get(0).startsWith(ConsciousnessKeys.SYSTEM_METRICS), verification.describe());
    }

    @Test
    void shouldReportAKeyTheModelHasButTheEngineLacks()
    {
        final Map<String, byte[]> model = modelAt(recovered);
        model.put("user/never-written", new byte[] {1, 2, 3});
        final Verification verification = StateVerifier.verify(engram, model);
        assertFalse(verification.passed());
        assertEquals(1, verification.missing(), verification.describe());
        assertEquals("user/never-written", verification.missingNamed().get(0));
    }

    @Test
    void shouldFailTheRecovererCheckAgainstAnotherSeedsModel() throws IOException
    {
        final RecoveryResult right = DemoRecoverer.verify(engram, new ConsciousnessWorkload(SEED, SIZES), dir,
            engram.recoveryReport(), 1, 1);
        assertTrue(right.verified(), right.verification());
        assertEquals(recovered, right.recoveredVersion());
        final RecoveryResult wrong = DemoRecoverer.verify(engram, new ConsciousnessWorkload(SEED + 1, SIZES), dir,
            engram.recoveryReport(), 1, 1);
        assertFalse(wrong.verified(), wrong.verification());
        assertTrue(wrong.verification().startsWith("FAILED"), wrong.verification());
    }
}
