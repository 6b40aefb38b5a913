package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.internal.DirectoryLock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static dev.engram.journal.JournalManifestDescriptor.*;

/**
 * The journal manifest's content, immutable: which cycle files the journal has written, each with its first
 * version and (when known) its last ({@link JournalManifestDescriptor} for the bytes). Read and written whole.
 *
 * @see JournalLossCheck what is compared with it at open
 */
public final class JournalManifest
{
    /**
     * One cycle file the journal wrote.
     *
     * @param cycle        the cycle (its file name follows from the roll cycle, {@link CycleFiles}).
     * @param firstVersion the version of its first delta frame.
     * @param lastVersion  the version of its last delta frame when recorded (next cycle started, or clean close), else 0.
     */
    public record Entry(int cycle, long firstVersion, long lastVersion)
    {
    }

    private final long rollCycleLengthMs;
    private final List<Entry> entries;

    /**
     * @param rollCycleLengthMs milliseconds per cycle of the roll cycle the journal is written with.
     * @param entries           ascending by cycle and by first version.
     */
    public JournalManifest(final long rollCycleLengthMs, final List<Entry> entries)
    {
        this.rollCycleLengthMs = rollCycleLengthMs;
        this.entries = List.copyOf(entries);
    }

    public long rollCycleLengthMs()
    {
        return rollCycleLengthMs;
    }

    /**
     * @return the entries, ascending by cycle.
     */
    public List<Entry> entries()
    {
        return entries;
    }

    /**
     * @return the newest entry, or null if there is none.
     */
    public Entry newest()
    {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /**
     * @return the highest last version recorded in any entry, or 0.
     */
    public long recordedLastVersion()
    {
        long last = 0;
        for (final Entry entry : entries)
        {
            last = Math.max(last, entry.lastVersion());
        }
        return last;
    }

    /**
     * @return the last version the entry at {@code index} holds, as far as the manifest knows: its recorded last,
     *         else the version before the next entry's first, else 0 (the newest cycle, not recorded).
     */
    long knownLastVersion(final int index)
    {
        final Entry entry = entries.get(index);
        if (entry.lastVersion() > 0)
        {
            return entry.lastVersion();
        }
        return index + 1 < entries.size() ? entries.get(index + 1).firstVersion() - 1 : 0;
    }

    /**
     * @return the manifest in {@code directory}, or null if it has none (a journal written before manifests).
     * @throws JournalManifestException if it is damaged or cannot be read.
     */
    public static JournalManifest read(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        final byte[] bytes;
        try
        {
            final long size = Files.size(file);
            if (size > fileLength(MAX_ENTRIES))
            {
                throw new JournalManifestException(file, fileLength(MAX_ENTRIES), "journal manifest longer than " +
                    fileLength(MAX_ENTRIES) + " bytes: length=" + size);
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new JournalManifestException(file, "cannot read the journal manifest", ex);
        }
        return decode(file, bytes);
    }

    static JournalManifest decode(final Path file, final byte[] bytes)
    {
        if (bytes.length < MIN_FILE_LENGTH)
        {
            throw new JournalManifestException(file, bytes.length, "journal manifest too short: length=" + bytes.length);
        }
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (bytes[MAGIC_OFFSET + i] != MAGIC[i])
            {
                throw new JournalManifestException(file, MAGIC_OFFSET + i, "not a journal manifest (bad magic)");
            }
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int crcOffset = bytes.length - CRC_LENGTH;
        if (buffer.getInt(crcOffset, ByteOrder.LITTLE_ENDIAN) != crc(bytes, crcOffset))
        {
            throw new JournalManifestException(file, crcOffset, "journal manifest CRC32C mismatch");
        }
        final int formatVersion = buffer.getInt(FORMAT_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (formatVersion != FORMAT_VERSION)
        {
            throw new JournalManifestException(file, FORMAT_VERSION_OFFSET, "unsupported journal manifest format version=" +
                formatVersion + " (this build reads " + FORMAT_VERSION + ")");
        }
        final long count = buffer.getInt(ENTRY_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (count > MAX_ENTRIES || fileLength((int)count) != bytes.length)
        {
            throw new JournalManifestException(file, ENTRY_COUNT_OFFSET, "journal manifest entry count=" + count +
                " does not match its length=" + bytes.length);
        }
        final long rollCycleLengthMs = buffer.getLong(ROLL_CYCLE_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (rollCycleLengthMs < 1)
        {
            throw new JournalManifestException(file, ROLL_CYCLE_LENGTH_OFFSET, "bad roll cycle length=" + rollCycleLengthMs);
        }
        final List<Entry> entries = new ArrayList<>((int)count);
        Entry previous = null;
        for (int i = 0; i < count; i++)
        {
            final int offset = entryOffset(i);
            final Entry entry = new Entry(buffer.getInt(offset + ENTRY_CYCLE_OFFSET, ByteOrder.LITTLE_ENDIAN),
                buffer.getLong(offset + ENTRY_FIRST_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN),
                buffer.getLong(offset + ENTRY_LAST_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN));
            if (entry.cycle() < 0 || entry.firstVersion() < 1 || (entry.lastVersion() != 0 && entry.lastVersion() < entry.firstVersion()) ||
                buffer.getInt(offset + ENTRY_RESERVED_OFFSET, ByteOrder.LITTLE_ENDIAN) != 0)
            {
                throw new JournalManifestException(file, offset, "bad journal manifest entry " + i + ": " + entry);
            }
            if (previous != null && (entry.cycle() <= previous.cycle() || entry.firstVersion() <= previous.firstVersion() ||
                (previous.lastVersion() != 0 && previous.lastVersion() >= entry.firstVersion())))
            {
                throw new JournalManifestException(file, offset, "journal manifest entry " + i + " " + entry +
                    " is out of order after " + previous);
            }
            entries.add(entry);
            previous = entry;
        }
        return new JournalManifest(rollCycleLengthMs, entries);
    }

    byte[] encode()
    {
        final byte[] bytes = new byte[fileLength(entries.size())];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putBytes(MAGIC_OFFSET, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(ENTRY_COUNT_OFFSET, entries.size(), ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(ROLL_CYCLE_LENGTH_OFFSET, rollCycleLengthMs, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.size(); i++)
        {
            final Entry entry = entries.get(i);
            final int offset = entryOffset(i);
            buffer.putInt(offset + ENTRY_CYCLE_OFFSET, entry.cycle(), ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(offset + ENTRY_FIRST_VERSION_OFFSET, entry.firstVersion(), ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(offset + ENTRY_LAST_VERSION_OFFSET, entry.lastVersion(), ByteOrder.LITTLE_ENDIAN);
        }
        final int crcOffset = bytes.length - CRC_LENGTH;
        buffer.putInt(crcOffset, crc(bytes, crcOffset), ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /** A file of spare blocks beside the manifest, given up so the manifest can be rewritten on a full disk. */
    static final String RESERVE_FILE_NAME = FILE_NAME + ".reserve";
    static final int MIN_RESERVE_LENGTH = 64 * 1024;

    /**
     * Replace the manifest in {@code directory} durably: temp file, fsync, atomic rename, fsync of the directory.
     * On a full disk the temp file cannot get a block, and retention, which must rewrite the manifest before it may
     * delete cycle files, could never free space: so a reserve file ({@link #RESERVE_FILE_NAME}, at least 64 KiB and
     * twice the manifest) is kept beside it, deleted to make room when the write fails, and made again (best effort)
     * after a write that succeeds. The order retention relies on (unlist, then delete) does not change.
     *
     * @throws JournalManifestException if it cannot be written (the old manifest, if any, is left as it was).
     */
    void write(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        final Path tmp = directory.resolve(FILE_NAME + ".tmp");
        final Path reserve = directory.resolve(RESERVE_FILE_NAME);
        final byte[] bytes = encode();
        try
        {
            writeDurably(directory, file, tmp, bytes);
        }
        catch (final IOException ex)
        {
            if (!Files.exists(reserve))
            {
                deleteQuietly(tmp);
                throw new JournalManifestException(file, "cannot write the journal manifest durably (usable space " +
                    usableSpace(directory) + " bytes; no reserve left)", ex);
            }
            try
            {
                deleteQuietly(tmp);
                Files.delete(reserve);   // its blocks are the room the manifest needs
                writeDurably(directory, file, tmp, bytes);
            }
            catch (final IOException again)
            {
                deleteQuietly(tmp);
                again.addSuppressed(ex);
                throw new JournalManifestException(file, "cannot write the journal manifest durably, even after giving " +
                    "up its reserve (usable space " + usableSpace(directory) + " bytes)", again);
            }
        }
        keepReserve(reserve, bytes.length);
    }

    private static void writeDurably(final Path directory, final Path file, final Path tmp, final byte[] bytes)
        throws IOException
    {
        Files.write(tmp, bytes);
        DirectoryLock.setOwnerOnly(tmp, "rw-------");
        force(tmp, StandardOpenOption.WRITE);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        force(directory, StandardOpenOption.READ);
    }

    /**
     * Make sure the reserve holds at least {@code max(64 KiB, 2 × manifestLength)} allocated bytes (written, not
     * sparse: non-zero bytes, so no file system skips them). Best effort: on a full disk it is made by a later write.
     */
    static void keepReserve(final Path reserve, final int manifestLength)
    {
        final long wanted = Math.max(MIN_RESERVE_LENGTH, 2L * manifestLength + 4095) / 4096 * 4096;
        final Path tmp = reserve.resolveSibling(reserve.getFileName() + ".tmp");
        try
        {
            if (Files.exists(reserve) && Files.size(reserve) >= wanted)
            {
                return;
            }
            final byte[] fill = new byte[(int)wanted];
            java.util.Arrays.fill(fill, (byte)0xEE);
            Files.write(tmp, fill);
            DirectoryLock.setOwnerOnly(tmp, "rw-------");
            Files.move(tmp, reserve, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteQuietly(tmp);
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // a leftover temp file is replaced by the next write
        }
    }

    private static long usableSpace(final Path directory)
    {
        try
        {
            return Files.getFileStore(directory).getUsableSpace();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static void force(final Path path, final StandardOpenOption mode) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, mode))
        {
            channel.force(true);
        }
    }

    private static int crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int)crc.getValue();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof JournalManifest manifest && manifest.rollCycleLengthMs == rollCycleLengthMs &&
            manifest.entries.equals(entries);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(rollCycleLengthMs) * 31 + entries.hashCode();
    }

    @Override
    public String toString()
    {
        return "JournalManifest{rollCycleLengthMs=" + rollCycleLengthMs + ", entries=" + entries + "}";
    }
}
