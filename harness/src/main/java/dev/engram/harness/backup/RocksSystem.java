package dev.engram.harness.backup;

import org.rocksdb.BackupEngine;
import org.rocksdb.BackupEngineOptions;
import org.rocksdb.Env;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RestoreOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * RocksDB's side (rocksdbjni): the same keys and values in a RocksDB database (its default options; WAL on, no
 * sync), backed up with its {@link BackupEngine} ({@code shareTableFiles} and {@code shareFilesWithChecksum} on, so
 * an incremental backup copies only the table files the previous backups lack), restored with
 * {@code restoreDbFromLatestBackup}. rocksdbjni has no {@code VerifyBackup}: {@link #verify()} does what its
 * {@code verify_with_checksum} does, reading every file the backups' meta files list and comparing its CRC32C.
 */
final class RocksSystem implements StoreWriter, AutoCloseable
{
    static final String TITLE = "RocksDB BackupEngine";

    /** A line of a backup meta file naming a file and its checksum: {@code shared_checksum/000012_..._123.sst crc32 4711}. */
    private static final Pattern FILE_LINE = Pattern.compile("^(\\S+) crc32 (\\d+)$");

    private final Path backupDir;
    private final Options options = new Options().setCreateIfMissing(true);
    private final RocksDB db;
    private final WriteOptions writeOptions = new WriteOptions().setSync(false);
    private final BackupEngineOptions engineOptions;
    private final BackupEngine engine;

    RocksSystem(final Path dbDir, final Path backupDir) throws Exception
    {
        RocksDB.loadLibrary();
        this.backupDir = backupDir;
        Files.createDirectories(backupDir);
        this.db = RocksDB.open(options, dbDir.toString());
        this.engineOptions = new BackupEngineOptions(backupDir.toString()).setShareTableFiles(true)
            .setShareFilesWithChecksum(true);
        this.engine = BackupEngine.open(Env.getDefault(), engineOptions);
    }

    static byte[] key(final int k)
    {
        return ("user/" + k).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public long put(final int k, final byte[] value) throws Exception
    {
        db.put(writeOptions, key(k), value);
        return -1;
    }

    @Override
    public long patch(final int k, final int offset, final byte[] patch, final byte[] wholeValue) throws Exception
    {
        db.put(writeOptions, key(k), wholeValue);
        return -1;
    }

    /** After the load: everything flushed to table files, as Engram's load ends with a checkpoint. */
    void flush() throws Exception
    {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true))
        {
            db.flush(flush);
        }
    }

    /** A backup of the open database (flushed first, as {@code createNewBackup(db, true)} does). */
    Timed<Integer> backup() throws Exception
    {
        return Timed.of(() ->
        {
            engine.createNewBackup(db, true);
            return engine.getBackupInfo().size();
        });
    }

    Timed<Path> restoreLatest(final Path into) throws Exception
    {
        return Timed.of(() ->
        {
            try (RestoreOptions restore = new RestoreOptions(false))
            {
                engine.restoreDbFromLatestBackup(into.toString(), into.toString(), restore);
            }
            return into;
        });
    }

    /** Opens a restored database (timed), then reads every entry with an iterator and closes it. */
    static Timed<StateCheck> openAndRead(final Path dir, final int keyCount) throws Exception
    {
        final Io before = Io.now();
        final long startNs = System.nanoTime();
        try (Options options = new Options(); RocksDB opened = RocksDB.open(options, dir.toString()))
        {
            final long openNs = System.nanoTime() - startNs;
            final Io io = Io.now().since(before);
            final StateCheck check = new StateCheck(keyCount);
            final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);
            try (RocksIterator it = opened.newIterator())
            {
                for (it.seekToFirst(); it.isValid(); it.next())
                {
                    final byte[] k = it.key();
                    final byte[] v = it.value();
                    key.wrap(k);
                    value.wrap(v);
                    check.entry(key, 0, k.length, value, 0, v.length);
                }
                it.status();
            }
            return new Timed<>(check, openNs, io);
        }
    }

    /**
     * Every file each backup's meta file lists, read once and its CRC32C compared with the one listed (as
     * {@code VerifyBackup(id, verify_with_checksum = true)} does, for all backups; a file several backups share is
     * read once).
     *
     * @return the problems found, empty when none; the files checked are counted in {@code checked[0]}
     */
    Timed<List<String>> verify(final long[] checked) throws Exception
    {
        return Timed.of(() ->
        {
            final Map<String, Long> files = new LinkedHashMap<>();
            final List<String> problems = new ArrayList<>();
            try (Stream<Path> metas = Files.list(backupDir.resolve("meta")))
            {
                for (final Path meta : metas.filter(p -> p.getFileName().toString().matches("\\d+")).sorted().toList())
                {
                    int listed = 0;
                    for (final String line : Files.readAllLines(meta, StandardCharsets.UTF_8))
                    {
                        final Matcher m = FILE_LINE.matcher(line.trim());
                        if (m.matches())
                        {
                            files.put(m.group(1), Long.parseLong(m.group(2)));
                            listed++;
                        }
                    }
                    if (listed == 0)
                    {
                        problems.add(meta + ": no file with a crc32 found in the meta file (format not understood)");
                    }
                }
            }
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            for (final Map.Entry<String, Long> file : files.entrySet())
            {
                final long crc = crc32c(backupDir.resolve(file.getKey()), buffer);
                if (crc != file.getValue())
                {
                    problems.add(file.getKey() + ": crc32c " + crc + ", the meta file says " + file.getValue());
                }
            }
            checked[0] = files.size();
            return problems;
        });
    }

    private static long crc32c(final Path file, final ByteBuffer buffer) throws IOException
    {
        final CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            buffer.clear();
            while (channel.read(buffer) >= 0)
            {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return crc.getValue();
    }

    @Override
    public void close()
    {
        engine.close();
        engineOptions.close();
        writeOptions.close();
        db.close();
        options.close();
    }
}
