package dev.engram.harness.stress;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StressOutcomeTest
{
    private static final String SUMMARY = "STRESS-SUMMARY scenario=mixed seconds=12.0 ops=10 reads=20 validations=20 " +
        "iterations=1 cycles=2 checkpoints=3 closedRaces=4 wrongValues=0 missedKeys=0 duplicateKeys=0 " +
        "unexpectedExceptions=0 otherFailures=0 failures=0";

    @Test
    void shouldPassAChildThatReportedNoFailuresAndExitedZero()
    {
        final StressOutcome outcome = parse(0, List.of("stress mixed: ...", SUMMARY), List.of(), null);
        assertTrue(outcome.passed(), outcome.describe());
        assertEquals(20, outcome.count("reads"));
        assertEquals(4, outcome.count("closedRaces"));
    }

    @Test
    void shouldFailOnReportedFailures()
    {
        final StressOutcome outcome = parse(1, List.of("STRESS-FAILURE missed-keys [keys] keys(\"\") missed 1",
            SUMMARY.replace("missedKeys=0", "missedKeys=1").replace("failures=0", "failures=1")), List.of(), null);
        assertFalse(outcome.passed());
        assertFalse(outcome.crashed());
        assertEquals(List.of("missed-keys [keys] keys(\"\") missed 1"), outcome.failures());
    }

    @Test
    void shouldCallEveryOtherEndingACrash()
    {
        assertTrue(parse(134, List.of("stress mixed: ..."), List.of(), null).crash().contains("signal 6"));
        assertTrue(parse(0, List.of("stress mixed: ..."), List.of(), null).crash().contains("without a summary"));
        assertTrue(parse(134, List.of(), List.of("SIGSEGV (0xb) at pc=0x1"), null).crash().contains("SIGSEGV"));
        assertTrue(parse(-1, List.of(), List.of(), "no exit within 132 s").crash().contains("hung"));
        assertTrue(parse(3, List.of(SUMMARY), List.of(), null).crashed());
        assertFalse(parse(0, List.of(SUMMARY), List.of("SIGBUS"), null).passed());
    }

    private static StressOutcome parse(final int exit, final List<String> stdout, final List<String> hsErr, final String timedOut)
    {
        return StressOutcome.parse("mixed", 12.5, exit, stdout, hsErr, timedOut, "", Path.of("run"));
    }
}
