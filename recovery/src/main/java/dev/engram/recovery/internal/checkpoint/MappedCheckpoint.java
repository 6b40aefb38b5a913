package dev.engram.recovery.internal.checkpoint;

import com.github.luben.zstd.Zstd;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.internal.FileMapping;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.UnsupportedCheckpointFormatException;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.KeyLocationIndex;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

import static dev.engram.recovery.internal.checkpoint.CheckpointFooterDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A published checkpoint file mapped read-only (any size: the mapping is not limited to 2 GiB).
 * <p>
 * At {@link #open(Path)}: header (magic, format version, CRC, field rules), footer (magic, CRC, shape),
 * block table (CRC, contiguity, counts), in-file index (CRC) and the Merkle root recomputed from the
 * block table. No data block is read. Each data block's CRC32C is checked the first time any of its bytes
 * are used, and by {@link #verifyAllBlocks()}; a bad block is never served. Compressed blocks are
 * decompressed once, on first use, into a direct buffer kept until {@link #close()}.
 * <p>
 * Thread-safe for any number of concurrent readers. {@link #close()} unmaps the file: call it only once
 * no reader uses the checkpoint or a view it handed out.
 */
public final class MappedCheckpoint implements AutoCloseable
{
    private static final ThreadLocal<UnsafeBuffer> KEY_SCRATCH =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[CheckpointEntryDescriptor.MAX_KEY_LENGTH]));

    private final Path file;
    private final long fileLength;
    private final FileMapping mapping;
    private final long address;
    private final CheckpointInfo info;
    private final int blockCount;
    private final UnsafeBuffer blockTable;
    private final long indexAddress;
    private final long slotMask;
    private final long tableOffset;
    private final AtomicLongArray verifiedBits;
    private final AtomicReferenceArray<ByteBuffer> decompressed;
    /** Format 2: page blocks and paged values may be present. */
    private final boolean pagedFormat;
    /** The files of this file's chain by ordinal (set by its chain), where paged values find their pages. */
    private volatile MappedCheckpoint[] chainFiles;
    /** Paged values assembled once (by entry location), kept until close. */
    private final java.util.concurrent.ConcurrentHashMap<Long, ByteBuffer> assembled = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    private MappedCheckpoint(final Path file, final long fileLength, final FileMapping mapping, final CheckpointInfo info,
        final UnsafeBuffer blockTable, final long indexAddress, final long slotCount)
    {
        this.file = file;
        this.fileLength = fileLength;
        this.mapping = mapping;
        this.address = mapping.address();
        this.info = info;
        this.blockCount = (int)info.blockCount();
        this.blockTable = blockTable;
        this.indexAddress = indexAddress;
        this.slotMask = slotCount - 1;
        this.tableOffset = blockTable.addressOffset() - address;
        this.verifiedBits = new AtomicLongArray((blockCount + 63) / 64);
        this.decompressed = new AtomicReferenceArray<>(blockCount);
        this.pagedFormat = UnsafeApi.getIntUnaligned(null, address + CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET, false) >=
            CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED;
    }

    /**
     * Tell this file the files of its chain (base first, by chain ordinal; this file among them), where its paged
     * values find the pages they reference. Without it, a paged value is served only if all its pages are in this file.
     */
    public void attachChain(final MappedCheckpoint[] byOrdinal)
    {
        this.chainFiles = byOrdinal;
    }

    /**
     * Map and check a checkpoint file.
     *
     * @param file a published checkpoint file.
     * @return the mapped checkpoint.
     * @throws CheckpointCorruptionException        naming file and offset if any open-time check fails.
     * @throws UnsupportedCheckpointFormatException if the file is of a newer format.
     */
    public static MappedCheckpoint open(final Path file)
    {
        return open(file, false);
    }

    /**
     * Map and check a checkpoint file, optionally leaving the checks whose cost grows with the state to the
     * caller: the block table's rows and the in-file index's CRC32C ({@link #verifyDeferred()}, which must pass
     * before the checkpoint is read; recovery runs it on another thread while it reads the journal) and the Merkle root
     * ({@link #verifyMerkleRoot()}; recovery runs it after ready, see {@link ChainFiles#merkleRootsPending()}).
     */
    public static MappedCheckpoint open(final Path file, final boolean deferIndexAndMerkleChecks)
    {
        EngramSystemProperties.apply();
        final long fileLength;
        final FileMapping mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            fileLength = channel.size();
            if (fileLength < CheckpointFileChecks.MIN_FILE_LENGTH)
            {
                throw new CheckpointCorruptionException(file, fileLength,
                    "file is shorter than a header and a footer: length=" + fileLength);
            }
            mapping = FileMapping.map(channel, FileChannel.MapMode.READ_ONLY, fileLength);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot map checkpoint file=" + file + ": " + ex.getMessage(), ex);
        }
        try
        {
            final MappedCheckpoint checkpoint = verifyAndWrap(file, fileLength, mapping, deferIndexAndMerkleChecks);
            if (!deferIndexAndMerkleChecks)
            {
                checkpoint.verifyIndex();
                checkpoint.verifyMerkleRoot();
            }
            return checkpoint;
        }
        catch (final RuntimeException ex)
        {
            unmap(file, mapping, ex);
            throw ex;
        }
    }

    private static MappedCheckpoint verifyAndWrap(final Path file, final long fileLength, final FileMapping mapping,
        final boolean deferRows)
    {
        final long address = mapping.address();
        final UnsafeBuffer header = new UnsafeBuffer(address, CheckpointHeaderDescriptor.HEADER_LENGTH);
        final long footerOffset = footerOffset(fileLength);
        final UnsafeBuffer footer = new UnsafeBuffer(address + footerOffset, FOOTER_LENGTH);
        CheckpointFileChecks.verifyHeader(file, header);
        CheckpointFileChecks.verifyFooter(file, footer, fileLength, header);
        final CheckpointInfo info = CheckpointFileChecks.info(file, header, footer, fileLength);

        final int blockCount = (int)info.blockCount();
        final long tableOffset = footer.getLong(BLOCK_TABLE_OFFSET_OFFSET, LITTLE_ENDIAN);
        final int tableLength = blockCount * BlockTableDescriptor.ROW_LENGTH;
        final UnsafeBuffer table = new UnsafeBuffer(address + tableOffset, tableLength);
        final int tableCrc = Crc32cMemory.compute(address + tableOffset, tableLength);
        if (tableCrc != footer.getInt(BLOCK_TABLE_CRC_OFFSET, LITTLE_ENDIAN))
        {
            throw new CheckpointCorruptionException(file, tableOffset, "block table CRC32C mismatch: stored=0x" +
                Integer.toHexString(footer.getInt(BLOCK_TABLE_CRC_OFFSET, LITTLE_ENDIAN)) + " computed=0x" + Integer.toHexString(tableCrc));
        }
        if (!deferRows)
        {
            verifyBlockTable(file, table, blockCount, tableOffset, info.entryCount(), pagedFormat(address));
        }

        final long indexOffset = footer.getLong(INDEX_OFFSET_OFFSET, LITTLE_ENDIAN);
        final long slotCount = footer.getLong(INDEX_SLOT_COUNT_OFFSET, LITTLE_ENDIAN);
        return new MappedCheckpoint(file, fileLength, mapping, info, table, address + indexOffset, slotCount);
    }

    /**
     * The checks a deferring {@link #open(Path, boolean)} left for the caller to run before using the checkpoint
     * (recovery runs them beside its journal scan): every block table row (contiguous, lengths and flags sane,
     * entries adding up to the footer's count; one pass over 65,536 rows at 4 GiB, ~20 ms in a cold JVM) and
     * the in-file index's CRC32C.
     *
     * @throws CheckpointCorruptionException naming the file and offset of the first mismatch.
     */
    public void verifyDeferred()
    {
        verifyBlockTable(file, blockTable, blockCount, tableOffset, info.entryCount(), pagedFormat);
        verifyIndex();
    }

    /**
     * The in-file index's CRC32C: the index is read in place, so a reader must not use it before this passed.
     * {@link #open(Path)} runs it.
     *
     * @throws CheckpointCorruptionException naming the file and the index's offset if it does not match.
     */
    private void verifyIndex()
    {
        final UnsafeBuffer footer = new UnsafeBuffer(address + footerOffset(fileLength), FOOTER_LENGTH);
        final long indexOffset = footer.getLong(INDEX_OFFSET_OFFSET, LITTLE_ENDIAN);
        final long slotCount = footer.getLong(INDEX_SLOT_COUNT_OFFSET, LITTLE_ENDIAN);
        final int indexCrc = Crc32cMemory.compute(address + indexOffset, slotCount * InFileIndexDescriptor.SLOT_LENGTH);
        if (indexCrc != footer.getInt(INDEX_CRC_OFFSET, LITTLE_ENDIAN))
        {
            throw new CheckpointCorruptionException(file, indexOffset, "index CRC32C mismatch: stored=0x" +
                Integer.toHexString(footer.getInt(INDEX_CRC_OFFSET, LITTLE_ENDIAN)) + " computed=0x" + Integer.toHexString(indexCrc));
        }
    }

    /**
     * The Merkle root recomputed from the block table (one SHA-256 per row and per node: ~0.2 s of a cold
     * JVM's CPU for a 4 GiB file). It guards the root that backups and the catalog carry; serving data does
     * not depend on it (the block table and the footer have their own CRC32C, each block its CRC32C), so
     * recovery runs it after ready. {@link #open(Path)} runs it.
     *
     * @throws CheckpointCorruptionException naming the file and the footer's root offset if it does not match.
     */
    public void verifyMerkleRoot()
    {
        verifyMerkleRoot(() -> false);
    }

    /**
     * {@link #verifyMerkleRoot()} that gives up as soon as {@code stop} says so: asked before each block table row is
     * read, so a check running after open stops at its next block once its store closes.
     *
     * @return true if the root was recomputed and matches, false if stopped first.
     * @throws CheckpointCorruptionException naming the file and the footer's root offset if it does not match.
     */
    public boolean verifyMerkleRoot(final BooleanSupplier stop)
    {
        final byte[] root = MerkleTree.root(blockTable, 0, blockCount, stop);
        if (root == null)
        {
            return false;
        }
        if (!Arrays.equals(root, info.merkleRoot()))
        {
            throw new CheckpointCorruptionException(file, footerOffset(fileLength) + MERKLE_ROOT_OFFSET,
                "Merkle root does not match the block table");
        }
        return true;
    }

    private static boolean pagedFormat(final long address)
    {
        return UnsafeApi.getIntUnaligned(null, address + CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET, false) >=
            CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED;
    }

    private static void verifyBlockTable(
        final Path file, final UnsafeBuffer table, final int blockCount, final long tableOffset, final long entryCount,
        final boolean pagedFormat)
    {
        long expectedOffset = CheckpointHeaderDescriptor.HEADER_LENGTH;
        long entries = 0;
        for (int i = 0; i < blockCount; i++)
        {
            final int row = i * BlockTableDescriptor.ROW_LENGTH;
            final long fileOffset = table.getLong(row + BlockTableDescriptor.FILE_OFFSET_OFFSET, LITTLE_ENDIAN);
            final long stored = table.getInt(row + BlockTableDescriptor.STORED_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final long raw = table.getInt(row + BlockTableDescriptor.RAW_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final long count = table.getInt(row + BlockTableDescriptor.ENTRY_COUNT_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final int flags = table.getByte(row + BlockTableDescriptor.FLAGS_OFFSET) & 0xFF;
            final boolean page = pagedFormat && (flags & BlockTableDescriptor.FLAG_PAGE) != 0;
            if (fileOffset != expectedOffset || stored == 0 ||
                raw < (page ? 1 : CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH + 1) ||
                raw > CheckpointEntryDescriptor.MAX_ENTRY_LENGTH || (page ? count != 0 : count == 0) ||
                (flags & ~(BlockTableDescriptor.FLAG_ZSTD | (pagedFormat ? BlockTableDescriptor.FLAG_PAGE : 0))) != 0 ||
                ((flags & BlockTableDescriptor.FLAG_ZSTD) == 0 && stored != raw))
            {
                throw new CheckpointCorruptionException(file, tableOffset + row, "block table row " + i +
                    " is inconsistent: fileOffset=" + fileOffset + " expected=" + expectedOffset + " stored=" + stored +
                    " raw=" + raw + " entries=" + count + " flags=0x" + Integer.toHexString(flags));
            }
            expectedOffset += stored;
            entries += count;
        }
        if (expectedOffset != tableOffset || entries != entryCount)
        {
            throw new CheckpointCorruptionException(file, tableOffset, "block table does not add up: blocks end at " +
                expectedOffset + " table starts at " + tableOffset + ", entries " + entries + " footer says " + entryCount);
        }
    }

    private static int row(final int blockIndex)
    {
        return blockIndex * BlockTableDescriptor.ROW_LENGTH;
    }

    /**
     * @return what the file holds (from its header and footer).
     */
    public CheckpointInfo info()
    {
        return info;
    }

    public Path file()
    {
        return file;
    }

    public int blockCount()
    {
        return blockCount;
    }

    /**
     * Point read through the in-file index.
     *
     * @param key       the key.
     * @param valueView re-pointed at the value when {@link LookupStatus#FOUND}.
     * @return FOUND, TOMBSTONE (a delta records the key as removed) or ABSENT.
     */
    public LookupStatus lookup(final CharSequence key, final UnsafeBuffer valueView)
    {
        final int encodedLength = Utf8.encodedLength(key);
        if (encodedLength < 1 || encodedLength > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            checkOpen();
            return LookupStatus.ABSENT;
        }
        final UnsafeBuffer scratch = KEY_SCRATCH.get();
        final int length = Utf8.encode(key, scratch, 0);
        return lookup(scratch, 0, length, valueView);
    }

    /**
     * Point read through the in-file index, allocation-free.
     *
     * @param key       holding the UTF-8 key.
     * @param keyOffset first key byte.
     * @param keyLength key length.
     * @param valueView re-pointed at the value when {@link LookupStatus#FOUND} (zero-copy; read-only).
     * @return FOUND, TOMBSTONE, QUARANTINED (the view then holds the reason) or ABSENT.
     * @throws CheckpointCorruptionException if the block holding the key fails its check.
     */
    public LookupStatus lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer valueView)
    {
        final long location = locate(key, keyOffset, keyLength);
        if (location == -1)
        {
            return LookupStatus.ABSENT;
        }
        final int blockIndex = InFileIndexDescriptor.blockIndex(location);
        final int offset = (int)InFileIndexDescriptor.offsetInBlock(location);
        final long entryAddress = rawBlockAddress(blockIndex) + offset;
        final int flags = UnsafeApi.getByte(entryAddress + CheckpointEntryDescriptor.FLAGS_OFFSET);
        if ((flags & CheckpointEntryDescriptor.FLAG_TOMBSTONE) != 0)
        {
            return LookupStatus.TOMBSTONE;
        }
        final int valueLength = UnsafeApi.getIntUnaligned(null, entryAddress + CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET, false);
        if ((flags & CheckpointEntryDescriptor.FLAG_PAGED) != 0)
        {
            final ByteBuffer value = assemble(location, entryAddress + CheckpointEntryDescriptor.KEY_OFFSET + keyLength, valueLength);
            valueView.wrap(BufferUtil.address(value), value.capacity());
            return LookupStatus.FOUND;
        }
        valueView.wrap(entryAddress + CheckpointEntryDescriptor.KEY_OFFSET + keyLength, valueLength);
        return (flags & CheckpointEntryDescriptor.FLAG_QUARANTINED) != 0 ? LookupStatus.QUARANTINED : LookupStatus.FOUND;
    }

    /**
     * The page map of a key's entry if it is a paged value (without reading any page).
     *
     * @param mapView re-pointed at the page map when the entry is paged.
     * @return -1 if the file has no entry for the key, else the entry's flags ({@link CheckpointEntryDescriptor}).
     */
    public int lookupPageMap(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer mapView)
    {
        final long location = locate(key, keyOffset, keyLength);
        if (location == -1)
        {
            return -1;
        }
        final long entryAddress = rawBlockAddress(InFileIndexDescriptor.blockIndex(location)) +
            InFileIndexDescriptor.offsetInBlock(location);
        final int flags = UnsafeApi.getByte(entryAddress + CheckpointEntryDescriptor.FLAGS_OFFSET) & 0xFF;
        if ((flags & CheckpointEntryDescriptor.FLAG_PAGED) != 0)
        {
            final int valueLength = UnsafeApi.getIntUnaligned(null, entryAddress + CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET, false);
            mapView.wrap(entryAddress + CheckpointEntryDescriptor.KEY_OFFSET + keyLength, valueLength);
        }
        return flags;
    }

    /**
     * Find a key's entry through the in-file index; the entry's bounds are checked.
     *
     * @return its location word ({@code blockIndex << 32 | offsetInRawBlock}), or -1 if the file has no
     * entry for the key.
     */
    long locate(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkOpen();
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        long slot = hash & slotMask;
        for (long probes = 0; probes <= slotMask; probes++)
        {
            final long slotAddress = indexAddress + InFileIndexDescriptor.slotOffset(slot);
            final long storedHash = UnsafeApi.getLongUnaligned(null, slotAddress, false);
            if (storedHash == InFileIndexDescriptor.EMPTY_HASH)
            {
                return -1;
            }
            if (storedHash == hash)
            {
                final long location = UnsafeApi.getLongUnaligned(null, slotAddress + InFileIndexDescriptor.LOCATION_OFFSET, false);
                final long entryAddress = entryAddress(location, slotAddress - address);
                final int storedKeyLength = UnsafeApi.getShortUnaligned(null, entryAddress, false) & 0xFFFF;
                if (storedKeyLength == keyLength && keyBytesEqual(entryAddress + CheckpointEntryDescriptor.KEY_OFFSET, key, keyOffset, keyLength))
                {
                    return location;
                }
            }
            slot = (slot + 1) & slotMask;
        }
        throw new CheckpointCorruptionException(file, indexAddress - address, "index has no empty slot");
    }

    private static boolean keyBytesEqual(final long storedKey, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        for (int i = 0; i < keyLength; i++)
        {
            if (UnsafeApi.getByte(storedKey + i) != key.getByte(keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the address of a bounds-checked entry (header, key and value inside the raw block).
     */
    private long entryAddress(final long location, final long referrerOffset)
    {
        final int blockIndex = InFileIndexDescriptor.blockIndex(location);
        final long offset = InFileIndexDescriptor.offsetInBlock(location);
        if (blockIndex < 0 || blockIndex >= blockCount)
        {
            throw new CheckpointCorruptionException(file, referrerOffset, "location points past the last block: blockIndex=" +
                blockIndex + " blockCount=" + blockCount);
        }
        final long base = rawBlockAddress(blockIndex);
        checkEntryBounds(blockIndex, offset, base);
        return base + offset;
    }

    private long checkEntryBounds(final int blockIndex, final long offset, final long base)
    {
        final long rawLength = rawLength(blockIndex);
        if (offset + CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH > rawLength)
        {
            throw entryCorruption(blockIndex, offset, "entry header crosses the block end");
        }
        final long entry = base + offset;
        final int keyLength = UnsafeApi.getShortUnaligned(null, entry + CheckpointEntryDescriptor.KEY_LENGTH_OFFSET, false) & 0xFFFF;
        final int flags = UnsafeApi.getByte(entry + CheckpointEntryDescriptor.FLAGS_OFFSET) & 0xFF;
        final long valueLength = UnsafeApi.getIntUnaligned(null, entry + CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET, false) & 0xFFFF_FFFFL;
        final long end = offset + CheckpointEntryDescriptor.entryLength(keyLength, valueLength);
        if (keyLength == 0 || (flags != 0 && flags != CheckpointEntryDescriptor.FLAG_TOMBSTONE &&
            flags != CheckpointEntryDescriptor.FLAG_QUARANTINED && !(pagedFormat && flags == CheckpointEntryDescriptor.FLAG_PAGED)) ||
            UnsafeApi.getByte(entry + CheckpointEntryDescriptor.RESERVED_OFFSET) != 0 || end > rawLength ||
            ((flags & CheckpointEntryDescriptor.FLAG_TOMBSTONE) != 0 && valueLength != 0))
        {
            throw entryCorruption(blockIndex, offset, "malformed entry: keyLength=" + keyLength + " flags=0x" +
                Integer.toHexString(flags) + " valueLength=" + valueLength + " blockRawLength=" + rawLength);
        }
        return end;
    }

    private CheckpointCorruptionException entryCorruption(final int blockIndex, final long offset, final String what)
    {
        return new CheckpointCorruptionException(file, blockFileOffset(blockIndex),
            what + " (block " + blockIndex + ", offset in raw block " + offset + ")");
    }

    /**
     * Read the entry at a location (as a {@link KeyLocationIndex} gives it), bounds-checked.
     *
     * @param blockIndex    the block.
     * @param offsetInBlock where the entry starts in the raw block.
     * @param entry         re-pointed at the entry.
     */
    public void readEntry(final int blockIndex, final long offsetInBlock, final CheckpointEntry entry)
    {
        checkOpen();
        if (blockIndex < 0 || blockIndex >= blockCount)
        {
            throw new IllegalArgumentException("no such block: blockIndex=" + blockIndex + " blockCount=" + blockCount +
                " file=" + file);
        }
        final long base = rawBlockAddress(blockIndex);
        checkEntryBounds(blockIndex, offsetInBlock, base);
        point(entry, base, blockIndex, (int)offsetInBlock);
    }

    /**
     * Point the flyweight at an entry; a paged value is served assembled (its flag cleared) when this file knows its
     * chain, else as its page map with {@link CheckpointEntryDescriptor#FLAG_PAGED} set (for a check of one file).
     */
    private void point(final CheckpointEntry entry, final long base, final int blockIndex, final int offset)
    {
        final long entryAddress = base + offset;
        final int keyLength = UnsafeApi.getShortUnaligned(null, entryAddress, false) & 0xFFFF;
        final int flags = UnsafeApi.getByte(entryAddress + CheckpointEntryDescriptor.FLAGS_OFFSET) & 0xFF;
        final int valueLength = UnsafeApi.getIntUnaligned(null, entryAddress + CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET, false);
        final long keyAddress = entryAddress + CheckpointEntryDescriptor.KEY_OFFSET;
        if ((flags & CheckpointEntryDescriptor.FLAG_PAGED) != 0 && chainFiles != null)
        {
            final long mapAddress = keyAddress + keyLength;
            final long pagedLength = valueLength >= PageMapDescriptor.PAGES_OFFSET ?
                UnsafeApi.getLongUnaligned(null, mapAddress + PageMapDescriptor.VALUE_LENGTH_OFFSET, false) : -1;
            if (pagedLength < 1 || pagedLength > CheckpointEntryDescriptor.MAX_ENTRY_LENGTH)
            {
                assemble(InFileIndexDescriptor.location(blockIndex, offset), mapAddress, valueLength);   // refuses the map
            }
            // assembled from its pages only if the visitor asks for the value (a merge skips shadowed entries)
            entry.setPaged(keyAddress, keyLength, this, mapAddress, valueLength, (int)pagedLength, blockIndex, offset);
            return;
        }
        entry.set(keyAddress, keyLength, flags, keyAddress + keyLength, valueLength, blockIndex, offset);
    }

    /**
     * A paged value, assembled from its pages once (each page's block CRC32C checked, decompressed straight into
     * place) and kept until close.
     *
     * @param location   the entry's location (the cache key).
     * @param mapAddress the page map.
     * @param mapLength  its length.
     */
    ByteBuffer assemble(final long location, final long mapAddress, final int mapLength)
    {
        final ByteBuffer cached = assembled.get(location);
        if (cached != null)
        {
            return cached;
        }
        final UnsafeBuffer map = new UnsafeBuffer(mapAddress, mapLength);
        final long blockOffset = blockFileOffset(InFileIndexDescriptor.blockIndex(location));
        if (mapLength < PageMapDescriptor.PAGES_OFFSET)
        {
            throw new CheckpointCorruptionException(file, blockOffset, "page map too short: length=" + mapLength);
        }
        final long valueLength = map.getLong(PageMapDescriptor.VALUE_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int pageLength = map.getInt(PageMapDescriptor.PAGE_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int pages = map.getInt(PageMapDescriptor.PAGE_COUNT_OFFSET, LITTLE_ENDIAN);
        if (valueLength < 1 || valueLength > CheckpointEntryDescriptor.MAX_ENTRY_LENGTH || pageLength < 1 || pages < 1 ||
            pages != PageMapDescriptor.pageCount(valueLength, pageLength) || mapLength != PageMapDescriptor.mapLength(pages))
        {
            throw new CheckpointCorruptionException(file, blockOffset, "malformed page map: valueLength=" + valueLength +
                " pageLength=" + pageLength + " pages=" + pages + " mapLength=" + mapLength);
        }
        final ByteBuffer value = ByteBuffer.allocateDirect((int)valueLength);
        try
        {
            final long target = BufferUtil.address(value);
            for (int page = 0; page < pages; page++)
            {
                final long ref = PageMapDescriptor.ref(map, 0, page);
                final MappedCheckpoint holder = pageHolder(PageMapDescriptor.refOrdinal(ref), blockOffset);
                holder.readPage(PageMapDescriptor.refBlock(ref), target + (long)page * pageLength,
                    PageMapDescriptor.pageLength(valueLength, pageLength, page), this, blockOffset);
            }
        }
        catch (final RuntimeException ex)
        {
            BufferUtil.free(value);
            throw ex;
        }
        final ByteBuffer won = assembled.putIfAbsent(location, value);
        if (won != null)
        {
            BufferUtil.free(value);
            return won;
        }
        if (closed)
        {
            assembled.remove(location);
            BufferUtil.free(value);
            throw new IllegalStateException("checkpoint is closed: file=" + file);
        }
        return value;
    }

    private MappedCheckpoint pageHolder(final int ordinal, final long mapOffset)
    {
        final int own = info.chainOrdinal();
        if (ordinal == own)
        {
            return this;
        }
        final MappedCheckpoint[] chain = chainFiles;
        if (ordinal < 0 || ordinal > own)
        {
            throw new CheckpointCorruptionException(file, mapOffset, "page map names chain ordinal " + ordinal +
                " of a file newer than this one (ordinal " + own + ")");
        }
        if (chain == null || ordinal >= chain.length)
        {
            throw new dev.engram.recovery.CheckpointException("a paged value of file=" + file + " needs its chain's file of " +
                "ordinal " + ordinal + ", which this reader did not open");
        }
        return chain[ordinal];
    }

    /**
     * Copy (raw) or decompress (zstd) one page block straight to {@code target}, after checking its CRC32C once.
     */
    private void readPage(final int blockIndex, final long target, final int length, final MappedCheckpoint referrer,
        final long referrerOffset)
    {
        checkOpen();
        if (blockIndex < 0 || blockIndex >= blockCount ||
            (blockTable.getByte(row(blockIndex) + BlockTableDescriptor.FLAGS_OFFSET) & BlockTableDescriptor.FLAG_PAGE) == 0 ||
            rawLength(blockIndex) != length)
        {
            throw new CheckpointCorruptionException(referrer.file, referrerOffset, "page map names block " + blockIndex +
                " of file=" + file + ", which is not a page of " + length + " bytes");
        }
        if (!isVerified(blockIndex))
        {
            verifyCrc(blockIndex);
            markVerified(blockIndex);
        }
        final long source = address + blockFileOffset(blockIndex);
        if (isZstd(blockIndex))
        {
            final long size = Zstd.decompressUnsafe(target, length, source, storedLength(blockIndex));
            if (Zstd.isError(size) || size != length)
            {
                throw new CheckpointCorruptionException(file, blockFileOffset(blockIndex), "page block " + blockIndex +
                    " does not decompress to its raw length: " + (Zstd.isError(size) ? Zstd.getErrorName(size) : "size=" + size) +
                    " rawLength=" + length);
            }
        }
        else
        {
            UnsafeApi.copyMemory(source, target, length);
        }
    }

    private boolean isPageBlock(final int blockIndex)
    {
        return pagedFormat && (blockTable.getByte(row(blockIndex) + BlockTableDescriptor.FLAGS_OFFSET) & BlockTableDescriptor.FLAG_PAGE) != 0;
    }

    /**
     * Visit every entry (tombstones included) in file order, checking each block on the way.
     *
     * @param visitor receives a flyweight per entry.
     */
    public void forEachEntry(final CheckpointEntryVisitor visitor)
    {
        checkOpen();
        final CheckpointEntry entry = new CheckpointEntry();
        for (int b = 0; b < blockCount; b++)
        {
            if (isPageBlock(b))
            {
                continue;   // read through the page maps that name it
            }
            final long base = rawBlockAddress(b);
            final long rawLength = rawLength(b);
            final long expected = blockTable.getInt(row(b) + BlockTableDescriptor.ENTRY_COUNT_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            long offset = 0;
            long count = 0;
            while (offset < rawLength)
            {
                final long end = checkEntryBounds(b, offset, base);
                point(entry, base, b, (int)offset);
                visitor.onEntry(entry);
                offset = end;
                count++;
            }
            if (count != expected)
            {
                throw entryCorruption(b, offset, "block holds " + count + " entries, block table says " + expected);
            }
        }
    }

    /**
     * Check the CRC32C of every block not checked yet (a background verifier's job; reads the whole file).
     *
     * @return the number of blocks checked by this call.
     * @throws CheckpointCorruptionException at the first bad block.
     */
    public int verifyAllBlocks()
    {
        checkOpen();
        int checked = 0;
        for (int b = 0; b < blockCount; b++)
        {
            if (!isVerified(b))
            {
                verifyCrc(b);
                markVerified(b);
                checked++;
            }
        }
        return checked;
    }

    /**
     * Check one block's CRC32C, for a verifier that goes on past a bad block ({@code ReadOnlyState.verify}).
     *
     * @throws CheckpointCorruptionException naming the file and the block's offset if it does not match.
     */
    public void verifyBlock(final int blockIndex)
    {
        checkOpen();
        verifyCrc(blockIndex);
    }

    private long rawLength(final int blockIndex)
    {
        return blockTable.getInt(row(blockIndex) + BlockTableDescriptor.RAW_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    private long blockFileOffset(final int blockIndex)
    {
        return blockTable.getLong(row(blockIndex) + BlockTableDescriptor.FILE_OFFSET_OFFSET, LITTLE_ENDIAN);
    }

    private boolean isZstd(final int blockIndex)
    {
        return (blockTable.getByte(row(blockIndex) + BlockTableDescriptor.FLAGS_OFFSET) & BlockTableDescriptor.FLAG_ZSTD) != 0;
    }

    /**
     * The one row check a block read needs before it touches the mapping: the block lies between the header
     * and the block table. (The whole table, contiguity and counts included, is checked at open, or by
     * {@link #verifyDeferred()} beside recovery's scan; a read may come first only in recovery's early applies.)
     */
    private void checkBlockBounds(final int blockIndex)
    {
        final long fileOffset = blockFileOffset(blockIndex);
        final long stored = storedLength(blockIndex);
        if (fileOffset < CheckpointHeaderDescriptor.HEADER_LENGTH || stored == 0 || fileOffset > tableOffset - stored)
        {
            throw new CheckpointCorruptionException(file, tableOffset + row(blockIndex), "block table row " + blockIndex +
                " points outside the data: fileOffset=" + fileOffset + " stored=" + stored + " table starts at " + tableOffset);
        }
    }

    private long storedLength(final int blockIndex)
    {
        return blockTable.getInt(row(blockIndex) + BlockTableDescriptor.STORED_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * @return the address of the block's raw bytes, after checking its CRC (and decompressing it) once.
     */
    private long rawBlockAddress(final int blockIndex)
    {
        if (isZstd(blockIndex))
        {
            ByteBuffer raw = decompressed.get(blockIndex);
            if (raw == null)
            {
                raw = decompress(blockIndex);
                if (!decompressed.compareAndSet(blockIndex, null, raw))
                {
                    BufferUtil.free(raw);
                    raw = decompressed.get(blockIndex);
                }
            }
            return BufferUtil.address(raw);
        }
        if (!isVerified(blockIndex))
        {
            verifyCrc(blockIndex);
            markVerified(blockIndex);
        }
        return address + blockFileOffset(blockIndex);
    }

    private ByteBuffer decompress(final int blockIndex)
    {
        verifyCrc(blockIndex);
        markVerified(blockIndex);
        final int rawLength = (int)rawLength(blockIndex);
        final ByteBuffer raw = ByteBuffer.allocateDirect(rawLength);
        final long size = Zstd.decompressUnsafe(BufferUtil.address(raw), rawLength,
            address + blockFileOffset(blockIndex), storedLength(blockIndex));
        if (Zstd.isError(size) || size != rawLength)
        {
            BufferUtil.free(raw);
            throw new CheckpointCorruptionException(file, blockFileOffset(blockIndex), "block " + blockIndex +
                " does not decompress to its raw length: " + (Zstd.isError(size) ? Zstd.getErrorName(size) : "size=" + size) +
                " rawLength=" + rawLength);
        }
        return raw;
    }

    private void verifyCrc(final int blockIndex)
    {
        checkBlockBounds(blockIndex);
        final long fileOffset = blockFileOffset(blockIndex);
        final int expected = blockTable.getInt(row(blockIndex) + BlockTableDescriptor.CRC_OFFSET, LITTLE_ENDIAN);
        final int actual = Crc32cMemory.compute(address + fileOffset, storedLength(blockIndex));
        if (actual != expected)
        {
            throw new CheckpointCorruptionException(file, fileOffset, "block " + blockIndex + " CRC32C mismatch: stored=0x" +
                Integer.toHexString(expected) + " computed=0x" + Integer.toHexString(actual));
        }
    }

    private boolean isVerified(final int blockIndex)
    {
        return (verifiedBits.get(blockIndex >>> 6) & (1L << (blockIndex & 63))) != 0;
    }

    private void markVerified(final int blockIndex)
    {
        final long bit = 1L << (blockIndex & 63);
        final int word = blockIndex >>> 6;
        long current;
        do
        {
            current = verifiedBits.get(word);
        }
        while ((current & bit) == 0 && !verifiedBits.compareAndSet(word, current, current | bit));
    }

    /**
     * @return true once {@link #close()} unmapped the file.
     */
    public boolean isClosed()
    {
        return closed;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("checkpoint is closed: file=" + file);
        }
    }

    /**
     * Unmap the file and free decompressed blocks. Views handed out become invalid.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Long location : assembled.keySet())
        {
            final ByteBuffer value = assembled.remove(location);
            if (value != null)
            {
                BufferUtil.free(value);
            }
        }
        for (int i = 0; i < blockCount; i++)
        {
            final ByteBuffer raw = decompressed.getAndSet(i, null);
            if (raw != null)
            {
                BufferUtil.free(raw);
            }
        }
        unmap(file, mapping, null);
    }

    private static void unmap(final Path file, final FileMapping mapping, final RuntimeException pending)
    {
        try
        {
            mapping.close();
        }
        catch (final IOException ex)
        {
            final CheckpointException failure = new CheckpointException("cannot unmap checkpoint file=" + file + ": " + ex.getMessage(), ex);
            if (pending != null)
            {
                pending.addSuppressed(failure);
                return;
            }
            throw failure;
        }
    }

    @Override
    public String toString()
    {
        return "MappedCheckpoint{" + info + "}";
    }
}
