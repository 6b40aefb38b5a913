package dev.engram.recovery;

import dev.engram.journal.Delta;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link StateDiskFullTest}: a state store with background checkpoints on a small file
 * system. Modes: {@code fill DIR} appends 4 KiB values over 200 keys until an append fails, then checks
 * that reads still work; prints {@code written=<v> applied=<v> failure=<message> reads=ok|<error>
 * checkpointFailure=<message>}. {@code check DIR N} opens, verifies every key's newest value is
 * readable, appends N more, checkpoints, prints {@code recovered=<v> last=<v> checkpoint=<id>}.
 */
public final class StateDiskFullChild
{
    static final int KEYS = 200;

    private StateDiskFullChild()
    {
    }

    static StateContext ctx(final Path dir)
    {
        final StateContext ctx = new StateContext().directory(dir).snapshotIndex(false).checkpointEveryFrames(500)
            .checkpointIntervalMs(0);
        ctx.journal().maxDeltaLength(16 * 1024).chronicleBlockSize(1024 * 1024);
        return ctx;
    }

    static byte[] value(final long version)
    {
        final byte[] value = new byte[4096];
        for (int i = 0; i < value.length; i += 8)
        {
            value[i] = (byte)version;
        }
        return value;
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[1]);
        if ("fill".equals(args[0]))
        {
            fill(dir);
        }
        else
        {
            check(dir, Integer.parseInt(args[2]));
        }
    }

    private static void fill(final Path dir)
    {
        try (StateStore store = StateStore.open(ctx(dir)); StateReader reader = store.newReader())
        {
            final Delta delta = store.journal().newDelta();
            String failure = "none";
            long last = 0;
            for (long i = 0; i < 10_000_000; i++)
            {
                try
                {
                    last = store.journal().append(delta.clear().put("k/" + (i % KEYS), value(i)));
                    if (i % 64 == 0 && !store.journal().awaitWritten(last, 60, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("not written within 60 s: " + last);
                    }
                }
                catch (final RuntimeException ex)
                {
                    failure = ex.getClass().getSimpleName() + ": " + ex.getMessage();
                    break;
                }
            }
            final long written = store.journal().writtenVersion();
            String reads = "ok";
            try
            {
                store.awaitApplied(written, 60, TimeUnit.SECONDS);
                for (int k = 0; k < KEYS; k++)
                {
                    if (reader.get("k/" + k) == null)
                    {
                        reads = "k/" + k + " missing";
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                reads = ex.toString();
            }
            final CheckpointException checkpointFailure = store.lastCheckpointFailure();
            System.out.println("written=" + written + " applied=" + store.appliedVersion() + " failure=" + failure +
                " reads=" + reads + " checkpointFailure=" + (checkpointFailure == null ? "none" : checkpointFailure.getMessage()));
        }
        catch (final RuntimeException ex)
        {
            System.out.println("close failed: " + ex);
        }
    }

    private static void check(final Path dir, final int more)
    {
        try (StateStore store = StateStore.open(ctx(dir)); StateReader reader = store.newReader())
        {
            final long recovered = store.appliedVersion();
            for (int k = 0; k < KEYS; k++)
            {
                if (reader.get("k/" + k) == null)
                {
                    throw new IllegalStateException("k/" + k + " missing after reopen");
                }
            }
            final Delta delta = store.journal().newDelta();
            long last = recovered;
            for (int i = 0; i < more; i++)
            {
                last = store.journal().append(delta.clear().put("after/" + i, value(i)));
            }
            if (more > 0 && !store.awaitApplied(last, 60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("not applied: " + last);
            }
            final CheckpointInfo info = more > 0 ? store.checkpoint() : null;
            System.out.println("recovered=" + recovered + " last=" + last + " checkpoint=" +
                (info == null ? "none" : String.valueOf(info.checkpointId())));
        }
    }
}
