package dev.engram.harness.latency;

/**
 * What a harness run appends to: the Engram journal or a raw Chronicle queue, each in a fresh directory.
 * Every producer thread takes its own {@link ProducerAppender} on that thread (Chronicle appenders are
 * single-threaded; an Engram producer keeps its own delta).
 */
interface AppendTarget extends AutoCloseable
{
    /**
     * @return the name printed in result tables.
     */
    String name();

    /**
     * Called on the producer thread that will use the result, and only there.
     *
     * @return an appender for that thread.
     */
    ProducerAppender newProducerAppender();

    /**
     * Wait until everything up to {@code lastId} is written where a crash of the process cannot lose it.
     *
     * @param lastId    the largest id {@link ProducerAppender#append()} returned.
     * @param timeoutNs how long to wait.
     * @return {@link System#nanoTime()} when it was observed written, 0 if it was written when the append
     * returned (raw Chronicle), or -1 on timeout.
     */
    long awaitWrittenNs(long lastId, long timeoutNs);

    /**
     * After every producer has finished: check that each append landed exactly once.
     *
     * @param appends the number of appends the producers made.
     * @param lastId  the largest id an append returned.
     * @return the outcome, with what was compared.
     */
    SelfCheck verify(long appends, long lastId);

    /**
     * @return times a producer found the journal's ring full (0 for raw Chronicle, which has no ring).
     */
    long backPressureEvents();

    /**
     * @return deltas in the journal's ring not yet written (0 for raw Chronicle).
     */
    long ringOccupancy();

    /**
     * @return the id of the thread that writes into Chronicle if it is not the producers' (the journal
     * thread), else -1.
     */
    long writerThreadId();

    @Override
    void close();

    /**
     * One producer thread's appender.
     */
    interface ProducerAppender extends AutoCloseable
    {
        /**
         * Append the benchmark's 128-byte payload once.
         *
         * @return the Engram version, or 0 for raw Chronicle.
         */
        long append();

        @Override
        void close();
    }

    /**
     * Outcome of a run's self-check.
     *
     * @param passed true if every comparison held.
     * @param detail what was compared, with the values.
     */
    record SelfCheck(boolean passed, String detail)
    {
        static SelfCheck of(final boolean passed, final String detail)
        {
            return new SelfCheck(passed, detail);
        }

        SelfCheck and(final SelfCheck other)
        {
            return new SelfCheck(passed && other.passed, detail + "; " + other.detail);
        }
    }
}
