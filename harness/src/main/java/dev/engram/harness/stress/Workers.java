package dev.engram.harness.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one engine's lifetime in a scenario, each repeating one step until stopped. A step that
 * throws is classified: once {@link #closing()} was announced, the documented closed-engine
 * {@link IllegalStateException} ends the thread quietly ({@code closedRaces}); anything else is an
 * unexpected exception (the thread goes on while the engine is open). {@link #stopAndJoin} reports a thread
 * that does not end in time as a failure, with its stack.
 */
final class Workers
{
    /** One step of a worker's loop. */
    @FunctionalInterface
    interface Step
    {
        void run() throws Exception;
    }

    /** Thrown by a step (or a consumer inside one) to abandon the current call quietly when told to stop. */
    static final class Stop extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Stop()
        {
            super("stop", null, false, false);
        }
    }

    private final StressStats stats;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;
    private volatile boolean closing;

    Workers(final StressStats stats)
    {
        this.stats = stats;
    }

    /**
     * Start a thread running {@code step} until stopped.
     */
    void start(final String name, final Step step)
    {
        final Thread thread = new Thread(() -> loop(name, step), "stress-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void loop(final String name, final Step step)
    {
        while (!stop)
        {
            try
            {
                step.run();
            }
            catch (final Stop ignored)
            {
                // told to stop in the middle of a call
            }
            catch (final Throwable failure)
            {
                if (closing && CallOutcome.isClosedRace(failure))
                {
                    stats.closedRaces.increment();
                    return;
                }
                stats.unexpected(name, failure);
                if (closing)
                {
                    return;
                }
            }
        }
    }

    /**
     * @return true once the steps should end (checked by long-running consumers).
     */
    boolean stopping()
    {
        return stop || closing;
    }

    /**
     * Throw {@link Stop} if the steps should end.
     */
    void checkStop()
    {
        if (stop)
        {
            throw new Stop();
        }
    }

    /**
     * Announce that {@code close()} is about to run: from now on the closed-engine exception is allowed.
     */
    void closing()
    {
        closing = true;
    }

    boolean isClosing()
    {
        return closing;
    }

    /**
     * Stop every thread and wait for each; a thread still running after {@code timeoutSeconds} is a failure.
     */
    void stopAndJoin(final long timeoutSeconds) throws InterruptedException
    {
        stop = true;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (final Thread thread : threads)
        {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive())
            {
                final StringBuilder stack = new StringBuilder();
                for (final StackTraceElement frame : thread.getStackTrace())
                {
                    stack.append(stack.length() == 0 ? "" : " <- ").append(frame);
                }
                stats.other(thread.getName(), "still running " + timeoutSeconds + " s after it was told to stop: " + stack);
            }
        }
        threads.clear();
    }
}
