package dev.engram.harness.stress;

import org.agrona.UnsafeApi;

/**
 * Not a scenario of the suite: proves the harness turns a child JVM's SIGSEGV into a failed scenario
 * with the fatal error log summarised (the suite's own tests run it). Reads native address 8.
 */
final class SelfTestCrash implements StressScenario
{
    @Override
    public String name()
    {
        return "self-test-crash";
    }

    @Override
    public String describe()
    {
        return "harness self-test: the child reads native address 8 and dies of SIGSEGV";
    }

    @Override
    public void run(final StressRun run)
    {
        run.stats().ops.add(UnsafeApi.getLong(8L));
    }
}
