package dev.engram.harness.recovery;

import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * The RocksDB peer of the recovery bench (rocksdbjni), run in child JVMs.
 * <pre>
 *   build DIR WORKLOAD...          state puts, flush (all in SST files: the analogue of a checkpoint), tail puts
 *                                  (WAL on, no sync; the memtable holds the whole tail, so it is only in the WAL),
 *                                  "@tail-written", then wait for SIGKILL
 *   open  DIR KEYS CHECKSUM        loadLibrary (timed apart), RocksDB.open (timed: WAL replay + flush),
 *                                  read every key with get (timed, verified), halt
 * </pre>
 * Options are RocksDB's defaults except {@link #WRITE_BUFFER_LENGTH}, the same on build and open.
 */
public final class RocksChild
{
    /** Large enough that the 1 M-put tail (~170 MiB in the memtable) never flushes before the crash. */
    static final long WRITE_BUFFER_LENGTH = 512L * 1024 * 1024;

    private RocksChild()
    {
    }

    public static void main(final String[] args)
    {
        final long mainEntryWallMs = System.currentTimeMillis();
        try
        {
            switch (args[0])
            {
                case "build" -> build(args[1], StateWorkload.fromArgs(args, 2));
                case "open" -> open(mainEntryWallMs, args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException("unknown role: " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    public static Options options(final boolean create)
    {
        return new Options().setCreateIfMissing(create).setWriteBufferSize(WRITE_BUFFER_LENGTH);
    }

    private static void build(final String dir, final StateWorkload workload) throws RocksDBException, InterruptedException
    {
        RocksDB.loadLibrary();
        final RocksDB db = RocksDB.open(options(true), dir);
        final WriteOptions writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final long[] hashes = new long[workload.keyCount()];
        final StringBuilder key = new StringBuilder(32);

        final long stateStartNs = System.nanoTime();
        final byte[] value = new byte[workload.valueLength()];
        for (int k = 0; k < workload.keyCount(); k++)
        {
            workload.fillValue(value, value.length, k, 0);
            hashes[k] = StateWorkload.valueHash(scratch, value);
            db.put(writeOptions, keyBytes(key, k), value);
        }
        final long stateNs = System.nanoTime() - stateStartNs;
        final long flushStartNs = System.nanoTime();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true))
        {
            db.flush(flush);
        }
        final long flushNs = System.nanoTime() - flushStartNs;

        final long tailStartNs = System.nanoTime();
        final byte[] tailValue = new byte[workload.tailValueLength()];
        final StateWorkload.TailKeys tailKeys = workload.tailKeys();
        for (int j = 0; j < workload.tailCount(); j++)
        {
            final int k = tailKeys.next();
            workload.fillValue(tailValue, tailValue.length, k, j + 1);
            hashes[k] = StateWorkload.valueHash(scratch, tailValue);
            db.put(writeOptions, keyBytes(key, k), tailValue);
        }
        final long tailNs = System.nanoTime() - tailStartNs;
        long checksum = 0;
        for (int k = 0; k < hashes.length; k++)
        {
            checksum += StateWorkload.keyChecksum(k, hashes[k]);
        }
        ChildOutput.record("tail-written", "keys", workload.keyCount(), "checksum", checksum,
            "stateMs", stateNs / 1_000_000, "flushMs", flushNs / 1_000_000, "tailMs", tailNs / 1_000_000,
            "liveSstBytes", db.getLongProperty("rocksdb.live-sst-files-size"),
            "memtableBytes", db.getLongProperty("rocksdb.cur-size-all-mem-tables"));
        new CountDownLatch(1).await();
    }

    private static byte[] keyBytes(final StringBuilder key, final int k)
    {
        return StateWorkload.key(key, k).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void open(final long mainEntryWallMs, final String dir, final int keyCount, final long expectedChecksum)
        throws RocksDBException
    {
        final long loadStartNs = System.nanoTime();
        RocksDB.loadLibrary();
        final long loadLibraryNs = System.nanoTime() - loadStartNs;
        final long openStartNs = System.nanoTime();
        final RocksDB db = RocksDB.open(options(false), dir);
        final long openNs = System.nanoTime() - openStartNs;
        final long readyWallMs = System.currentTimeMillis();

        final long readStartNs = System.nanoTime();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final StringBuilder key = new StringBuilder(32);
        long count = 0;
        long missing = 0;
        long checksum = 0;
        for (int k = 0; k < keyCount; k++)
        {
            final byte[] value = db.get(keyBytes(key, k));
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
        ChildOutput.record("recovered", "openNs", openNs, "loadLibraryNs", loadLibraryNs, "readyWallMs", readyWallMs,
            "jvmStartMs", ManagementFactory.getRuntimeMXBean().getStartTime(), "mainEntryWallMs", mainEntryWallMs,
            "readNs", readNs, "count", count, "missing", missing, "checksum", checksum,
            "ok", count == keyCount && missing == 0 && checksum == expectedChecksum,
            "processCpuNs", ChildOutput.processCpuNs());
        ChildOutput.haltNow();
    }
}
