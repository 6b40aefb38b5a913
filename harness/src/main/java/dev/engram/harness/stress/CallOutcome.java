package dev.engram.harness.stress;

/**
 * How a public call may end in the stress suite: normally, or, once {@code close()} has begun, with the
 * documented {@link IllegalStateException} whose message says the engine (or a part of it) is closed. Any
 * other exception, or that one before close began, is a failure.
 */
final class CallOutcome
{
    private static final int FRAMES = 14;

    private CallOutcome()
    {
    }

    /**
     * @return true if {@code failure} is the documented outcome of a call racing {@code close()}: an
     * {@link IllegalStateException} whose message contains "closed" (and does not report a failed store).
     */
    static boolean isClosedRace(final Throwable failure)
    {
        if (!(failure instanceof IllegalStateException))
        {
            return false;
        }
        final String message = failure.getMessage();
        return message != null && message.contains("closed") && !message.contains("failed");
    }

    /**
     * @return the exception, its first stack frames and its causes on one line.
     */
    static String describe(final Throwable failure)
    {
        final StringBuilder sb = new StringBuilder();
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause())
        {
            sb.append(depth == 0 ? "" : " | caused by ").append(t);
            final StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++)
            {
                sb.append(i == 0 ? " at " : " <- ").append(frames[i].getClassName().replaceFirst("^.*\\.", ""))
                    .append('.').append(frames[i].getMethodName()).append(':').append(frames[i].getLineNumber());
            }
        }
        return sb.toString();
    }
}
