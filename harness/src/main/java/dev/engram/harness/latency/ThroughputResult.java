package dev.engram.harness.latency;

/**
 * One flat-out run: producers append as fast as they can; the run ends when the last append is written.
 *
 * @param target             what was appended to.
 * @param producers          producer threads.
 * @param appends            appends in total.
 * @param appendNs           start to the last append returning.
 * @param writtenNs          start to the last append written (equal to appendNs for raw Chronicle).
 * @param backPressureEvents times a producer found the ring full.
 * @param writeCpuNs         CPU time of the thread(s) writing into Chronicle (the journal thread, or the
 *                           producers for raw Chronicle) during the run, -1 if unknown.
 * @param writeUserNs        the user-mode part of it (the rest is the kernel: page faults on the mapped file).
 * @param check              the self-check.
 */
record ThroughputResult(
    String target,
    int producers,
    long appends,
    long appendNs,
    long writtenNs,
    long backPressureEvents,
    long writeCpuNs,
    long writeUserNs,
    AppendTarget.SelfCheck check)
{
    /**
     * @return appends per second as seen by the producers (includes waiting on a full ring).
     */
    double appendRate()
    {
        return appends * 1e9 / appendNs;
    }

    /**
     * @return appends per second written: the sustained rate.
     */
    double writtenRate()
    {
        return appends * 1e9 / writtenNs;
    }
}
