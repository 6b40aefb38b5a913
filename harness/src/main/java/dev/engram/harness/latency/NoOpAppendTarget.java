package dev.engram.harness.latency;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The control: an "append" that only counts. Run on the same fixed-rate schedule as the real paths, its
 * latency is the floor this machine and this harness can show at all: the clock reads, the pacing loop,
 * and every time the OS or the JVM took the CPU from the producer thread.
 */
final class NoOpAppendTarget implements AppendTarget
{
    static final String NAME = "no-op (harness floor)";

    private final AtomicLong appended = new AtomicLong();

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ProducerAppender newProducerAppender()
    {
        return new ProducerAppender()
        {
            private long count;

            @Override
            public long append()
            {
                return ++count;
            }

            @Override
            public void close()
            {
                appended.addAndGet(count);
            }
        };
    }

    @Override
    public long awaitWrittenNs(final long lastId, final long timeoutNs)
    {
        return 0;
    }

    @Override
    public SelfCheck verify(final long appends, final long lastId)
    {
        return SelfCheck.of(appended.get() == appends, "appends=" + appends + " counted=" + appended.get());
    }

    @Override
    public long backPressureEvents()
    {
        return 0;
    }

    @Override
    public long ringOccupancy()
    {
        return 0;
    }

    @Override
    public long writerThreadId()
    {
        return -1;
    }

    @Override
    public void close()
    {
    }
}
