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
 */
class FaultInjectionTest
{
    @TempDir
    Path work;

    @Test
    void everyFileKindAndDamageIsSurvivedWithAReportOrRefusedClearlyNeverServedWrong()
    {
        FaultSuite.runAndAssert("fault-injection", FaultSuite.seed(), FaultSuite.ids(FaultCase.SYSTEMATIC), work);
    }
}
