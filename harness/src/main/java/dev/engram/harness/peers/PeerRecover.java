package dev.engram.harness.peers;

import dev.engram.engine.internal.EngineInternals;
import dev.engram.harness.recovery.SnapshotFile;

import dev.engram.harness.recovery.ChildOutput;
import dev.engram.harness.recovery.RocksChild;
import dev.engram.harness.recovery.StateWorkload;
import dev.engram.engine.Engram;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.StateReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.RocksDB;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Child JVM (fresh, after the writer's SIGKILL): {@code SYSTEM DIR KEYS}. Opens the crashed state (timed
 * from {@code open()} and from JVM start to ready), reads every key {@code user/0 .. user/<KEYS-1>} once
 * (timed), and reports {@code @recovered} with the count of keys found, the order-independent checksum of
 * what it read, and the version the system says it recovered ({@code -1} where it cannot say: RocksDB).
 * The parent decides whether that state is right. Never closes anything: it halts, as after a crash.
 */
public final class PeerRecover
{
    private PeerRecover()
    {
    }

    /** Count and checksum of one pass over every key. */
    static final class ReadAll implements StateReader.ValueReader<Boolean>
    {
        long count;
        long checksum;
        private long lastHash;

        @Override
        public Boolean read(final DirectBuffer value, final int offset, final int length)
        {
            lastHash = StateWorkload.valueHash(value, offset, length);
            return Boolean.TRUE;
        }

        void found(final int keyIndex, final long valueHash)
        {
            count++;
            checksum += StateWorkload.keyChecksum(keyIndex, valueHash);
        }
    }

    public static void main(final String[] args)
    {
        final long mainEntryWallMs = System.currentTimeMillis();
        EngramSystemProperties.apply();
        try
        {
            final PeerSystem system = PeerSystem.byLabel(args[0]);
            final Path dir = Path.of(args[1]);
            final int keys = Integer.parseInt(args[2]);
            final long openStartNs = System.nanoTime();
            final ReadAll read = new ReadAll();
            final long version;
            final long openNs;
            final long readNs;
            final long readyWallMs;
            switch (system)
            {
                case ENGRAM, ENGRAM_WRITTEN, ENGRAM_SYNCED ->
                {
                    final Engram engram = Engram.open(dir, EngramPeerStore.context());
                    openNs = System.nanoTime() - openStartNs;
                    readyWallMs = System.currentTimeMillis();
                    version = engram.recoveryReport().recoveredVersion();
                    final long readStartNs = System.nanoTime();
                    final StringBuilder key = new StringBuilder(32);
                    try (StateReader reader = EngineInternals.store(engram).newReader())
                    {
                        for (int k = 0; k < keys; k++)
                        {
                            if (reader.read(StateWorkload.key(key, k), read) != null)
                            {
                                read.found(k, read.lastHash);
                            }
                        }
                    }
                    readNs = System.nanoTime() - readStartNs;
                }
                case ROCKSDB, ROCKSDB_SYNC ->
                {
                    RocksDB.loadLibrary();
                    final RocksDB db = RocksDB.open(RocksChild.options(false), dir.toString());
                    openNs = System.nanoTime() - openStartNs;
                    readyWallMs = System.currentTimeMillis();
                    version = -1;
                    final long readStartNs = System.nanoTime();
                    final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
                    final StringBuilder key = new StringBuilder(32);
                    final byte[] keyBytes = new byte[256];
                    for (int k = 0; k < keys; k++)
                    {
                        StateWorkload.key(key, k);
                        for (int i = 0; i < key.length(); i++)
                        {
                            keyBytes[i] = (byte)key.charAt(i);
                        }
                        final byte[] value = db.get(keyBytes, 0, key.length());
                        if (value != null)
                        {
                            read.found(k, StateWorkload.valueHash(scratch, value));
                        }
                    }
                    readNs = System.nanoTime() - readStartNs;
                }
                case ZSTD_SNAPSHOT ->
                {
                    final SnapshotFile.Loaded loaded = SnapshotFile.load(dir.resolve(SnapshotFile.NAME));
                    openNs = System.nanoTime() - openStartNs;
                    readyWallMs = System.currentTimeMillis();
                    version = loaded.version();
                    final long readStartNs = System.nanoTime();
                    final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
                    final StringBuilder key = new StringBuilder(32);
                    final Map<String, byte[]> state = loaded.state();
                    for (int k = 0; k < keys; k++)
                    {
                        final byte[] value = state.get(StateWorkload.key(key, k).toString());
                        if (value != null)
                        {
                            read.found(k, StateWorkload.valueHash(scratch, value));
                        }
                    }
                    readNs = System.nanoTime() - readStartNs;
                }
                default -> throw new IllegalArgumentException("no recovery for " + system);
            }
            ChildOutput.record("recovered", "openNs", openNs, "readyWallMs", readyWallMs,
                "jvmStartMs", ManagementFactory.getRuntimeMXBean().getStartTime(), "mainEntryWallMs", mainEntryWallMs,
                "readNs", readNs, "count", read.count, "checksum", read.checksum, "version", version,
                "processCpuNs", ChildOutput.processCpuNs());
            ChildOutput.haltNow();
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }
}
