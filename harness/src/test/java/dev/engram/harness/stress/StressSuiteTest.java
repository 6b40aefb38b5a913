package dev.engram.harness.stress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bounded stress suite: every scenario for {@code engram.test.stressSeconds} (default 12) in its own child
 * JVM, so a SIGSEGV is a failed test, not a dead build. Failing runs keep their directory (engine files,
 * child.out, child.err, hs_err) under {@code target/stress-runs/<time>}. Long runs: {@code ./engram stress --minutes N}.
 */
class StressSuiteTest
{
    private static final double SECONDS = Double.parseDouble(System.getProperty("engram.test.stressSeconds", "12"));
    private static final Path RUNS = Path.of("target", "stress-runs",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

    static List<String> scenarios()
    {
        return StressSuite.scenarioNames();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void shouldRunWithoutCrashesWrongValuesOrMissedKeys(final String scenario) throws Exception
    {
        final StressOutcome outcome = new StressSuite(RUNS, System.nanoTime(), false).run(scenario, SECONDS);
        System.out.println(outcome.describe());
        assertAll(outcome.describe(),
            () -> assertNull(outcome.crash(), "crash"),
            () -> assertEquals(0, outcome.count("wrongValues"), "wrong values"),
            () -> assertEquals(0, outcome.count("missedKeys"), "missed keys"),
            () -> assertEquals(0, outcome.count("duplicateKeys"), "duplicate keys"),
            () -> assertEquals(0, outcome.count("unexpectedExceptions"), "unexpected exceptions"),
            () -> assertEquals(0, outcome.count("otherFailures"), "other failures"),
            () -> assertTrue(outcome.count("reads") > 0, "the scenario read nothing"),
            () -> assertTrue(!scenario.equals("close-during-after-open-checks") || outcome.count("checksStoppedByClose") > 0,
                "no close stopped an after-open check: close waits for them to finish (issue 14)"),
            () -> assertTrue(outcome.passed(), "verdict"));
    }

    @Test
    void shouldReportAChildJvmCrashAsAFailedRunWithItsFatalErrorLog() throws Exception
    {
        final StressOutcome outcome = new StressSuite(RUNS.resolve("self-test"), 1, false).run("self-test-crash", 1);
        System.out.println(outcome.describe());
        assertFalse(outcome.passed());
        assertTrue(outcome.crashed());
        assertTrue(outcome.crash().contains("SIGSEGV"), outcome.crash());
        assertTrue(outcome.crash().contains("hs_err_pid"), outcome.crash());
        StressSuite.deleteTree(outcome.directory());
    }
}
