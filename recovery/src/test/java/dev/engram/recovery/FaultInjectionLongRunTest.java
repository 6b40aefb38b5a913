package dev.engram.recovery;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The fault-injection suite's long run, excluded from the default build (tag {@code faults}); run it with
 * {@code mvn -B -ntp test -pl recovery -am -Pfaults [-Dengram.faults.cases=N] [-Dengram.faults.seed=S]}. The first
 * {@link FaultCase#SYSTEMATIC} cases go through every (file kind × damage) pair, the rest draw both at random. See
 * docs/reliability.md, "Fault injection".
 */
@Tag("faults")
class FaultInjectionLongRunTest
{
    @TempDir
    Path work;

    @Test
    void manyRandomFaultsAreSurvivedWithAReportOrRefusedClearlyNeverServedWrong()
    {
        final int cases = Integer.getInteger(FaultSuite.CASES_PROPERTY, 2000);
        FaultSuite.runAndAssert("fault-injection-long", FaultSuite.seed(), FaultSuite.ids(cases), work);
    }
}
