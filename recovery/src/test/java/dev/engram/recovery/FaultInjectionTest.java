package dev.engram.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The fault-injection suite's default run (issue 12): every (file kind × damage) pair once, on a store closed cleanly
 * or left as by a crash (drawn from the seed), see {@link FaultInjector}. Fails on wrong data, an unreported loss or a
 * bad error, printing each such case with the properties that replay it:
 * {@code -Dengram.faults.seed=S -Dengram.faults.case=ID}. The long run is {@link FaultInjectionLongRunTest}
 * ({@code -Pfaults}).
 * <p>
 * The build runs one fixed seed, {@link #BUILD_SEED}, so that a build fails on a change, not on where the clock put the
 * damage: a seed from the clock found two bugs on 2026-12-07 (cases 45 and 46, docs/reliability.md), and the
 * build had then failed at random. Explore with {@code -Dengram.faults.seed=random} (or the long run, which draws its
 * seed from the clock), and add what a seed finds to {@link FaultRegressionTest}.
 */
class FaultInjectionTest
{
    /** Passed in the clean-clone CI run of 93ee85c (2026-12-07). */
    static final long BUILD_SEED = 24931833130428L;

    @TempDir
    Path work;

    @Test
    void everyFileKindAndDamageIsSurvivedWithAReportOrRefusedClearlyNeverServedWrong()
    {
        FaultSuite.runAndAssert("fault-injection", FaultSuite.seed(BUILD_SEED), FaultSuite.ids(FaultCase.SYSTEMATIC), work);
    }
}
