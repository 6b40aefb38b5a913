package dev.engram.bench.recovery;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
 * Stream: {@code MAGIC (long), count (int), then count x [keyLength (short), key UTF-8, valueLength (int), value]},
 * all zstd level 3 ({@code zstd-jni}).
 */
public final class SnapshotChild
{
    static final long MAGIC = 0x454E4752414D534EL;
    static final int ZSTD_LEVEL = 3;
    private static final int BUFFER_LENGTH = 1 << 20;

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
        try (FileOutputStream fileOut = new FileOutputStream(file.toFile());
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new ZstdOutputStream(new BufferedOutputStream(fileOut, BUFFER_LENGTH), ZSTD_LEVEL), BUFFER_LENGTH)))
        {
            out.writeLong(MAGIC);
            out.writeInt(state.size());
            for (final Map.Entry<String, byte[]> entry : state.entrySet())
            {
                final byte[] keyBytes = entry.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(keyBytes.length);
                out.write(keyBytes);
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
            out.flush();
            fileOut.getChannel().force(true);
        }
        final long saveNs = System.nanoTime() - saveStartNs;
        long rawBytes = 12;
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
        final Map<String, byte[]> state;
        try (InputStream fileIn = Files.newInputStream(file);
            DataInputStream in = new DataInputStream(new BufferedInputStream(
                new ZstdInputStream(new BufferedInputStream(fileIn, BUFFER_LENGTH)), BUFFER_LENGTH)))
        {
            if (in.readLong() != MAGIC)
            {
                throw new IOException("not a snapshot file: " + file);
            }
            final int count = in.readInt();
            state = new HashMap<>(count * 4 / 3 + 1);
            final byte[] keyBytes = new byte[Short.MAX_VALUE];
            for (int i = 0; i < count; i++)
            {
                final int keyLength = in.readShort();
                in.readFully(keyBytes, 0, keyLength);
                final byte[] value = new byte[in.readInt()];
                in.readFully(value);
                state.put(new String(keyBytes, 0, keyLength, StandardCharsets.UTF_8), value);
            }
        }
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
