package dev.engram.recovery;

import dev.engram.journal.Delta;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The child JVM of {@link OffHeapTailTest} (run with a small {@code -XX:MaxDirectMemorySize}): a long tail of
 * PUT-then-PATCH of values up to 330 KiB over {@value #KEYS} keys (a state of ~20 MB), with background
 * checkpoints during it.
 * <ul>
 *   <li>{@code write DIR OPS}: appends OPS PUT-then-PATCH pairs (and a PATCH of an untouched key now and then),
 *   checkpoints, appends OPS/4 more pairs without a checkpoint, writes each key's expected CRC32C to
 *   {@code DIR.expected} and halts without closing (a crash: the reopen replays that tail).</li>
 *   <li>{@code reopen DIR}: opens (recovery replays the tail), checks every key against the expected CRCs,
 *   checkpoints, checks again, closes.</li>
 * </ul>
 * Prints {@code peakDirect=<bytes>} (the JVM's direct buffer pool, sampled every millisecond),
 * {@code peakOverlay=<bytes> peakBuild=<bytes>} (the store's own accounting) and {@code result=ok} or the
 * failure (an OutOfMemoryError of a background thread is printed as {@code failure=...}).
 */
public final class OffHeapTailChild
{
    static final int KEYS = 120;
    static final int MAX_VALUE = 330 * 1024;

    private static volatile long peakDirect;
    private static volatile Throwable backgroundFailure;

    private OffHeapTailChild()
    {
    }

    static StateContext ctx(final Path dir)
    {
        final StateContext ctx = new StateContext().directory(dir).checkpointIntervalMs(0).snapshotIndex(false);
        ctx.journal().maxDeltaLength(MAX_VALUE + 64 * 1024);
        return ctx;
    }

    public static void main(final String[] args) throws Exception
    {
        Thread.setDefaultUncaughtExceptionHandler((t, ex) ->
        {
            backgroundFailure = ex;
            System.out.println("failure=" + t.getName() + ": " + ex);
            System.out.flush();
        });
        final Thread sampler = new Thread(OffHeapTailChild::sample, "direct-sampler");
        sampler.setDaemon(true);
        sampler.start();
        final Path dir = Path.of(args[1]);
        try
        {
            if ("write".equals(args[0]))
            {
                write(dir, Integer.parseInt(args[2]));
            }
            else
            {
                reopen(dir);
            }
        }
        catch (final Throwable ex)
        {
            System.out.println("failure=main: " + ex);
            ex.printStackTrace(System.out);
            System.out.println("peakDirect=" + peakDirect);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
    }

    private static void sample()
    {
        final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        while (true)
        {
            final long used = direct.getMemoryUsed();
            if (used > peakDirect)
            {
                peakDirect = used;
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    private static void write(final Path dir, final int ops) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[][] model = new byte[KEYS][];
        final StateStore store = StateStore.open(ctx(dir));
        final Delta delta = store.journal().newDelta();
        long last = 0;
        for (int i = 0; i < ops + ops / 4; i++)
        {
            if (i == ops)
            {
                store.awaitApplied(last, 120, TimeUnit.SECONDS);
                store.checkpoint();
                // the rest is replayed by the reopen: no checkpoint may cover it
                store.journal().awaitWritten(last, 120, TimeUnit.SECONDS);
            }
            final int key = random.nextInt(KEYS);
            if (model[key] != null && random.nextInt(8) == 0)
            {
                last = patch(store, delta, model, key, random);   // a PATCH of a key the last PUT did not touch
                continue;
            }
            final byte[] value = new byte[1 + random.nextInt(MAX_VALUE)];
            fill(value, i);
            model[key] = value;
            last = store.journal().append(delta.clear().put("k/" + key, value));
            last = patch(store, delta, model, key, random);
            if ((i & 63) == 0)
            {
                store.journal().awaitWritten(last, 120, TimeUnit.SECONDS);   // no faster than the journal
            }
            if (backgroundFailure != null)
            {
                throw new IllegalStateException("failed at op " + i, backgroundFailure);
            }
            store.ensureOpen();   // throws with the applier's or the checkpointer's failure
        }
        if (!store.awaitApplied(last, 300, TimeUnit.SECONDS))
        {
            store.ensureOpen();
            throw new IllegalStateException("not applied: " + last + " applied=" + store.appliedVersion());
        }
        check(store, model);
        final List<String> lines = new ArrayList<>();
        for (int key = 0; key < KEYS; key++)
        {
            lines.add(model[key] == null ? "-" : Long.toString(crc(model[key])));
        }
        Files.write(Path.of(dir + ".expected"), lines);
        report(store, "write");
        System.out.println("result=ok version=" + last);
        System.out.flush();
        Runtime.getRuntime().halt(0);   // a crash: no clean shutdown, the tail is replayed at the reopen
    }

    private static long patch(final StateStore store, final Delta delta, final byte[][] model, final int key,
        final SplittableRandom random)
    {
        final byte[] value = model[key];
        final byte[] data = new byte[1 + random.nextInt(4096)];
        fill(data, random.nextInt());
        final int offset = random.nextInt(value.length + 8192);   // past the end now and then: the value grows
        final byte[] patched = new byte[Math.max(value.length, offset + data.length)];
        System.arraycopy(value, 0, patched, 0, value.length);
        System.arraycopy(data, 0, patched, offset, data.length);
        model[key] = patched;
        return store.journal().append(delta.clear().patch("k/" + key, offset, data));
    }

    private static void fill(final byte[] value, final int seed)
    {
        for (int i = 0; i < value.length; i += 64)
        {
            value[i] = (byte)(seed + i);
        }
    }

    private static long crc(final byte[] value)
    {
        final CRC32C crc = new CRC32C();
        crc.update(value);
        return crc.getValue();
    }

    private static void check(final StateStore store, final byte[][] model)
    {
        try (StateReader reader = store.newReader())
        {
            for (int key = 0; key < KEYS; key++)
            {
                final byte[] value = reader.get("k/" + key);
                if (model[key] == null ? value != null : value == null || crc(value) != crc(model[key]))
                {
                    throw new IllegalStateException("wrong value: k/" + key);
                }
            }
        }
    }

    private static void reopen(final Path dir) throws Exception
    {
        final List<String> expected = Files.readAllLines(Path.of(dir + ".expected"));
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            verify(store, expected);
            store.checkpoint();
            verify(store, expected);
            report(store, "reopen");
        }
        System.out.println("result=ok");
        System.out.flush();
        Runtime.getRuntime().halt(backgroundFailure == null ? 0 : 4);
    }

    private static void verify(final StateStore store, final List<String> expected)
    {
        try (StateReader reader = store.newReader())
        {
            for (int key = 0; key < KEYS; key++)
            {
                final byte[] value = reader.get("k/" + key);
                final String want = expected.get(key);
                if (want.equals("-") ? value != null : value == null || crc(value) != Long.parseLong(want))
                {
                    throw new IllegalStateException("wrong value after reopen: k/" + key);
                }
            }
        }
    }

    private static void report(final StateStore store, final String phase)
    {
        System.out.println(phase + ": peakDirect=" + peakDirect + " overlayBytes=" + store.overlayBytes() +
            " peakOverlay=" + store.overlayMemoryPeak() + " peakBuild=" + store.checkpointBuildMemoryPeak() +
            " overlayReserved=" + store.overlayMemoryReserved() + " overlayUsed=" + store.overlayMemoryUsed() +
            " checkpoints=" + store.checkpointCount());
    }
}
