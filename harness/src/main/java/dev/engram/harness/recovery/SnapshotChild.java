package dev.engram.harness.recovery;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The naive baseline of the recovery bench, run in child JVMs: the whole state as one zstd-compressed
 * snapshot file, written and read by hand.
 * <pre>
 *   save FILE WORKLOAD...            build the final state in a HashMap (not timed), then serialise + zstd-3 + fsync (timed)
 *   load FILE KEYS CHECKSUM          read + decompress + build a HashMap&lt;String, byte[]&gt; (timed), read every key (timed, verified)
 * </pre>
 * The file is a {@link SnapshotFile} (zstd level 3, temp file, fsync, rename, directory fsync), as the peers
 * bench's baseline writes it.
 */
public final class SnapshotChild
{

    private SnapshotChild()
    {
    }

    public static void main(final String[] args)
    {
        final long mainEntryWallMs = System.currentTimeMillis();
        try
        {
            switch (args[0])
            {
                case "save" -> save(Path.of(args[1]), StateWorkload.fromArgs(args, 2));
                case "load" -> load(mainEntryWallMs, Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException("unknown role: " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    private static void save(final Path file, final StateWorkload workload) throws IOException
    {
        final Map<String, byte[]> state = new HashMap<>(workload.keyCount() * 4 / 3 + 1);
        final StringBuilder key = new StringBuilder(32);
        for (int k = 0; k < workload.keyCount(); k++)
        {
            final byte[] value = new byte[workload.valueLength()];
            workload.fillValue(value, value.length, k, 0);
            state.put(StateWorkload.key(key, k).toString(), value);
        }
        final StateWorkload.TailKeys tailKeys = workload.tailKeys();
        for (int j = 0; j < workload.tailCount(); j++)
        {
            final int k = tailKeys.next();
            final byte[] value = new byte[workload.tailValueLength()];
            workload.fillValue(value, value.length, k, j + 1);
            state.put(StateWorkload.key(key, k).toString(), value);
        }
        final long checksum = checksum(state, workload.keyCount());

        final long saveStartNs = System.nanoTime();
        SnapshotFile.save(file, state, workload.keyCount() + workload.tailCount());
        final long saveNs = System.nanoTime() - saveStartNs;
        long rawBytes = 20;
        for (final Map.Entry<String, byte[]> entry : state.entrySet())
        {
            rawBytes += 6 + entry.getKey().length() + entry.getValue().length;
        }
        ChildOutput.record("saved", "saveNs", saveNs, "fileBytes", Files.size(file), "rawBytes", rawBytes,
            "keys", state.size(), "checksum", checksum);
    }

    private static void load(final long mainEntryWallMs, final Path file, final int keyCount, final long expectedChecksum)
        throws IOException
    {
        final long loadStartNs = System.nanoTime();
        final Map<String, byte[]> state = SnapshotFile.load(file).state();
        final long loadNs = System.nanoTime() - loadStartNs;
        final long readyWallMs = System.currentTimeMillis();

        final long readStartNs = System.nanoTime();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final StringBuilder key = new StringBuilder(32);
        long count = 0;
        long missing = 0;
        long checksum = 0;
        for (int k = 0; k < keyCount; k++)
        {
            final byte[] value = state.get(StateWorkload.key(key, k).toString());
            if (value == null)
            {
                missing++;
            }
            else
            {
                count++;
                checksum += StateWorkload.keyChecksum(k, StateWorkload.valueHash(scratch, value));
            }
        }
        final long readNs = System.nanoTime() - readStartNs;
        ChildOutput.record("recovered", "openNs", loadNs, "readyWallMs", readyWallMs,
            "jvmStartMs", ManagementFactory.getRuntimeMXBean().getStartTime(), "mainEntryWallMs", mainEntryWallMs,
            "readNs", readNs, "count", count, "missing", missing, "checksum", checksum,
            "ok", count == keyCount && missing == 0 && checksum == expectedChecksum && state.size() == keyCount,
            "processCpuNs", ChildOutput.processCpuNs());
        ChildOutput.haltNow();
    }

    private static long checksum(final Map<String, byte[]> state, final int keyCount)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final StringBuilder key = new StringBuilder(32);
        long checksum = 0;
        for (int k = 0; k < keyCount; k++)
        {
            checksum += StateWorkload.keyChecksum(k, StateWorkload.valueHash(scratch, state.get(StateWorkload.key(key, k).toString())));
        }
        return checksum;
    }
}
