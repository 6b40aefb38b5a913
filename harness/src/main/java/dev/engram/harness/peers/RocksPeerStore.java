package dev.engram.harness.peers;

import dev.engram.harness.recovery.RocksChild;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RocksDB (rocksdbjni) with its WAL: {@code db.put(writeOptions, key, value)}, {@code sync} as asked. Options
 * are RocksDB's defaults except a 512 MiB write buffer (as in {@code bench recovery}) so the tail stays in
 * the WAL until the crash.
 */
final class RocksPeerStore implements PeerStore
{
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final boolean sync;
    private final byte[] keyBytes = new byte[256];

    private RocksPeerStore(final RocksDB db, final boolean sync)
    {
        this.db = db;
        this.sync = sync;
        this.writeOptions = new WriteOptions().setDisableWAL(false).setSync(false);
    }

    static RocksPeerStore open(final Path dir, final boolean sync) throws RocksDBException
    {
        RocksDB.loadLibrary();
        return new RocksPeerStore(RocksDB.open(RocksChild.options(true), dir.toString()), sync);
    }

    @Override
    public void put(final CharSequence key, final byte[] value) throws RocksDBException
    {
        final int length = key.length();
        for (int i = 0; i < length; i++)
        {
            keyBytes[i] = (byte)key.charAt(i); // keys are ASCII (user/<i>)
        }
        db.put(writeOptions, keyBytes, 0, length, value, 0, value.length);
    }

    @Override
    public long loaded() throws RocksDBException
    {
        final long startNs = System.nanoTime();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true))
        {
            db.flush(flush);
        }
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    @Override
    public long awaitAcknowledged()
    {
        return -1; // the writer counts returned puts
    }

    @Override
    public void measured(final boolean on)
    {
        writeOptions.setSync(sync && on);
    }

    @Override
    public Map<String, Object> diagnostics() throws RocksDBException
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("sync", sync);
        map.put("liveSstBytes", db.getLongProperty("rocksdb.live-sst-files-size"));
        map.put("memtableBytes", db.getLongProperty("rocksdb.cur-size-all-mem-tables"));
        return map;
    }
}
