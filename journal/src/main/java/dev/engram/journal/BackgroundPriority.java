package dev.engram.journal;

/**
 * The operating system priority the engine's background threads run at: the checkpointer, the history follower and
 * the checks after an open (not the journal writer, its syncer or the applier, which every append and read waits for).
 * On a machine with few cores these threads share a CPU with the application's own; at a lower priority the kernel
 * runs them in the time the application leaves, instead of taking its CPU for milliseconds at a time. Linux only
 * (elsewhere, or where the kernel refuses, every thread keeps the priority it was started with); a thread's priority is
 * only ever lowered, once, when it starts. See docs/engine.md "Background threads".
 */
public enum BackgroundPriority
{
    /** As started: the same priority as the application's threads. */
    NORMAL(0),
    /** {@code nice} 10: about a tenth of the share of a thread at the normal priority when both want the same CPU. */
    LOW(10),
    /** {@code nice} 19: about 1.5 % of the share of a thread at the normal priority when both want the same CPU. */
    LOWEST(19),
    /**
     * Linux's {@code SCHED_IDLE}: runs only when no other thread wants the CPU. A producer that keeps every core busy then
     * stops checkpoints and the history index (the journal grows until it rests).
     */
    IDLE(19);

    private final int nice;

    BackgroundPriority(final int nice)
    {
        this.nice = nice;
    }

    /**
     * @return the {@code nice} value this priority stands for (19 for {@link #IDLE}, whose policy is not a nice value).
     */
    public int nice()
    {
        return nice;
    }
}
