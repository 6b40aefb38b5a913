package dev.engram.harness.backup;

/**
 * A result with the wall time and the {@link Io} of what produced it.
 */
record Timed<T>(T value, long nanos, Io io)
{
    /** Work that may fail. */
    @FunctionalInterface
    interface Body<T>
    {
        T run() throws Exception;
    }

    static <T> Timed<T> of(final Body<T> body) throws Exception
    {
        final Io before = Io.now();
        final long startNs = System.nanoTime();
        final T value = body.run();
        final long nanos = System.nanoTime() - startNs;
        return new Timed<>(value, nanos, Io.now().since(before));
    }
}
