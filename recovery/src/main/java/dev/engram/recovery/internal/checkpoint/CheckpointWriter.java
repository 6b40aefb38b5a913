package dev.engram.recovery.internal.checkpoint;

import com.github.luben.zstd.Zstd;
import dev.engram.journal.internal.DirectoryLock;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Streams one checkpoint file: entries go into blocks of about the target length, each block goes to the
 * file (raw or as a zstd frame) as soon as it closes, so memory does not grow with the value bytes (it
 * grows by 16 bytes per entry for the index and 32 per block for the block table, both off-heap).
 * <p>
 * The file is written as {@code <name>.tmp}; {@link #publish()} adds block table, index and footer,
 * rewrites the header, forces the file, renames it atomically into place and forces the directory.
 * {@link #close()} without a publish deletes the temp file.
 * <p>
 * Single-threaded: every call must come from the thread that created the writer. Keys must be unique
 * within one checkpoint (a repeated key is refused at publish).
 */
public final class CheckpointWriter implements AutoCloseable
{
    private final CheckpointWriterContext ctx;
    private final Path finalFile;
    private final Path tmpFile;
    private final FileChannel channel;
    private final CheckpointOutput output;
    private final Thread owner;
    private final int targetBlockLength;
    private final ByteBuffer blockByteBuffer;
    private final UnsafeBuffer block;
    private final ZstdBlockCompressor compressor;
    private final ExpandableDirectByteBuffer blockTable = new ExpandableDirectByteBuffer(4096);
    private final InFileIndexBuilder index = new InFileIndexBuilder();
    private final UnsafeBuffer keyScratch = new UnsafeBuffer(new byte[CheckpointEntryDescriptor.MAX_KEY_LENGTH]);
    private final UnsafeBuffer heapValue = new UnsafeBuffer(new byte[0]);
    private final ByteBuffer largeHeader = ByteBuffer.allocateDirect(
        CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH + CheckpointEntryDescriptor.MAX_KEY_LENGTH).order(LITTLE_ENDIAN);
    private final UnsafeBuffer largeHeaderBuffer = new UnsafeBuffer(largeHeader);
    private final ByteBuffer valueChunk;

    private int blockLength;
    private int blockEntryCount;
    private int blockCount;
    private long entryCount;
    private long tombstoneCount;
    private long quarantinedCount;
    private long rawKeyBytes;
    private long rawValueBytes;
    private long storedBlockBytes;
    private boolean published;
    private boolean closed;
    /** Set by the first paged value: the file is then format 2. */
    private boolean paged;
    private long pageBlocks;
    private long pageBytes;

    private CheckpointWriter(final CheckpointWriterContext ctx, final Path finalFile, final Path tmpFile, final FileChannel channel)
    {
        this.ctx = ctx;
        this.finalFile = finalFile;
        this.tmpFile = tmpFile;
        this.channel = channel;
        this.owner = Thread.currentThread();
        this.targetBlockLength = ctx.targetBlockLength();
        this.output = new CheckpointOutput(tmpFile, channel, CheckpointHeaderDescriptor.HEADER_LENGTH);
        this.blockByteBuffer = ByteBuffer.allocateDirect(targetBlockLength);
        this.block = new UnsafeBuffer(blockByteBuffer);
        this.compressor = ctx.compression() == CheckpointCompression.ZSTD ?
            new ZstdBlockCompressor(ctx.zstdLevel(), targetBlockLength) : null;
        this.valueChunk = ByteBuffer.allocateDirect(CheckpointOutput.STAGING_LENGTH);
    }

    /**
     * Start a checkpoint file. A stale temp file of the same name (left by a crash) is replaced.
     *
     * @param ctx settings, concluded here.
     * @return the writer.
     * @throws IllegalStateException if a checkpoint with this id is already published.
     */
    public static CheckpointWriter create(final CheckpointWriterContext ctx)
    {
        EngramSystemProperties.apply();
        ctx.conclude();
        DirectoryLock.ensurePrivateDirectory(ctx.directory());
        final Path finalFile = ctx.directory().resolve(CheckpointFiles.checkpointFileName(ctx.checkpointId()));
        if (Files.exists(finalFile))
        {
            throw new IllegalStateException("checkpoint already published: file=" + finalFile);
        }
        final Path tmpFile = CheckpointFiles.tmpOf(finalFile);
        FileChannel channel = null;
        try
        {
            Files.deleteIfExists(tmpFile);
            channel = FileChannel.open(tmpFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            DirectoryLock.setOwnerOnly(tmpFile, "rw-------");
            final CheckpointWriter writer = new CheckpointWriter(ctx, finalFile, tmpFile, channel);
            writer.writeHeader();
            return writer;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                    Files.deleteIfExists(tmpFile);
                }
                catch (final IOException closeFailure)
                {
                    ex.addSuppressed(closeFailure);
                }
            }
            if (ex instanceof RuntimeException)
            {
                throw (RuntimeException)ex;
            }
            throw new CheckpointException("cannot create checkpoint file=" + tmpFile + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return where the file will be published.
     */
    public Path file()
    {
        return finalFile;
    }

    /**
     * @param key   the key (non-empty; encoded as UTF-8, at most 65,535 bytes).
     * @param value the value bytes.
     * @return this.
     */
    public CheckpointWriter put(final CharSequence key, final byte[] value)
    {
        heapValue.wrap(value);
        return put(key, heapValue, 0, value.length);
    }

    /**
     * @param key    the key (non-empty; encoded as UTF-8, at most 65,535 bytes).
     * @param value  holding the value.
     * @param offset first value byte.
     * @param length value length.
     * @return this.
     */
    public CheckpointWriter put(final CharSequence key, final DirectBuffer value, final int offset, final int length)
    {
        final int keyLength = encodeKey(key);
        return put(keyScratch, 0, keyLength, value, offset, length);
    }

    /**
     * @param key         holding the UTF-8 key.
     * @param keyOffset   first key byte.
     * @param keyLength   key length, 1..65,535.
     * @param value       holding the value.
     * @param valueOffset first value byte.
     * @param valueLength value length.
     * @return this.
     */
    public CheckpointWriter put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        checkWritable();
        if (valueLength < 0 || CheckpointEntryDescriptor.entryLength(keyLength, valueLength) > CheckpointEntryDescriptor.MAX_ENTRY_LENGTH)
        {
            throw new IllegalArgumentException("value too long: valueLength=" + valueLength + " keyLength=" + keyLength +
                " max entry length=" + CheckpointEntryDescriptor.MAX_ENTRY_LENGTH);
        }
        addEntry(key, keyOffset, keyLength, 0, value, valueOffset, valueLength);
        return this;
    }

    /**
     * Record that {@code key} was removed since the parent checkpoint (delta checkpoints only).
     *
     * @param key the key.
     * @return this.
     */
    public CheckpointWriter tombstone(final CharSequence key)
    {
        final int keyLength = encodeKey(key);
        return tombstone(keyScratch, 0, keyLength);
    }

    /**
     * @param key       holding the UTF-8 key.
     * @param keyOffset first key byte.
     * @param keyLength key length, 1..65,535.
     * @return this.
     */
    public CheckpointWriter tombstone(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkWritable();
        if (!ctx.isDelta())
        {
            throw new IllegalStateException("a full checkpoint holds no tombstones: checkpointId=" + ctx.checkpointId());
        }
        addEntry(key, keyOffset, keyLength, CheckpointEntryDescriptor.FLAG_TOMBSTONE, null, 0, 0);
        tombstoneCount++;
        return this;
    }

    /**
     * Record that {@code key} is quarantined (a journal frame that changed it could not be applied): reads of it
     * are refused until a later PUT or DELETE. Full and delta checkpoints both hold such entries.
     *
     * @param key          holding the UTF-8 key.
     * @param keyOffset    first key byte.
     * @param keyLength    key length, 1..65,535.
     * @param reason       holding the reason (UTF-8 text).
     * @param reasonOffset first reason byte.
     * @param reasonLength reason length.
     * @return this.
     */
    public CheckpointWriter quarantined(final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer reason, final int reasonOffset, final int reasonLength)
    {
        checkWritable();
        addEntry(key, keyOffset, keyLength, CheckpointEntryDescriptor.FLAG_QUARANTINED, reason, reasonOffset, reasonLength);
        quarantinedCount++;
        return this;
    }

    /** Which pages of a paged value are the same as in the parent chain (see {@link #putPaged}). */
    @FunctionalInterface
    public interface PageReuse
    {
        /** Every page is written. */
        PageReuse NONE = page -> -1;

        /**
         * @param page a page index.
         * @return the parent chain's reference to that page ({@link PageMapDescriptor#ref(int, int)}) if its bytes are
         * unchanged, or -1 to write the page into this file.
         */
        long reuse(int page);
    }

    /**
     * Write a value as a page map and its pages (format 2): each page not reused from the parent chain becomes a page
     * block of this file (compressed on its own in a compressed file), the others are referenced where they are.
     *
     * @param pageLength page length, {@link PageMapDescriptor#MIN_PAGE_LENGTH}..the target block length.
     * @param reuse      which pages are unchanged since the parent (their references are copied).
     * @return this.
     */
    public CheckpointWriter putPaged(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final int pageLength, final PageReuse reuse)
    {
        checkWritable();
        if (pageLength < PageMapDescriptor.MIN_PAGE_LENGTH || pageLength > targetBlockLength || valueLength < 1)
        {
            throw new IllegalArgumentException("pageLength=" + pageLength + " must be " + PageMapDescriptor.MIN_PAGE_LENGTH +
                ".." + targetBlockLength + " and valueLength=" + valueLength + " at least 1");
        }
        final int pages = PageMapDescriptor.pageCount(valueLength, pageLength);
        final UnsafeBuffer map = new UnsafeBuffer(new byte[PageMapDescriptor.mapLength(pages)]);
        map.putLong(PageMapDescriptor.VALUE_LENGTH_OFFSET, valueLength, LITTLE_ENDIAN);
        map.putInt(PageMapDescriptor.PAGE_LENGTH_OFFSET, pageLength, LITTLE_ENDIAN);
        map.putInt(PageMapDescriptor.PAGE_COUNT_OFFSET, pages, LITTLE_ENDIAN);
        closeBlock();   // page blocks take the next indexes; the map entry goes into a block after them
        for (int page = 0; page < pages; page++)
        {
            long ref = reuse.reuse(page);
            if (ref < 0)
            {
                if (blockCount > KeyLocation.MAX_BLOCK_INDEX)
                {
                    throw new IllegalStateException("too many blocks for one checkpoint: blocks=" + blockCount);
                }
                ref = PageMapDescriptor.ref(ctx.chainOrdinal(), blockCount);
                writePageBlock(value, valueOffset + page * pageLength, PageMapDescriptor.pageLength(valueLength, pageLength, page));
            }
            final int at = PageMapDescriptor.PAGES_OFFSET + page * PageMapDescriptor.PAGE_REF_LENGTH;
            map.putInt(at + PageMapDescriptor.REF_ORDINAL_OFFSET, PageMapDescriptor.refOrdinal(ref), LITTLE_ENDIAN);
            map.putInt(at + PageMapDescriptor.REF_BLOCK_OFFSET, PageMapDescriptor.refBlock(ref), LITTLE_ENDIAN);
        }
        paged = true;
        addEntry(key, keyOffset, keyLength, CheckpointEntryDescriptor.FLAG_PAGED, map, 0, map.capacity());
        return this;
    }

    private void writePageBlock(final DirectBuffer value, final int offset, final int length)
    {
        final long fileOffset = output.position();
        output.beginCrc();
        int flags = BlockTableDescriptor.FLAG_PAGE;
        final ByteBuffer stored;
        value.getBytes(offset, block, 0, length);
        if (compressor != null && (stored = compressor.compressBlock(blockByteBuffer, length)) != null)
        {
            flags |= BlockTableDescriptor.FLAG_ZSTD;
            output.write(stored);
        }
        else
        {
            output.write(block, 0, length);
        }
        addBlockRow(fileOffset, output.position() - fileOffset, length, output.crc(), 0, flags);
        pageBlocks++;
        pageBytes += output.position() - fileOffset;
    }

    /**
     * @return page blocks written so far, and their stored bytes ({@code [blocks, bytes]}).
     */
    public long[] pageStats()
    {
        return new long[]{pageBlocks, pageBytes};
    }

    /**
     * @return quarantined entries written so far.
     */
    long quarantinedCount()
    {
        return quarantinedCount;
    }

    private int encodeKey(final CharSequence key)
    {
        final int length = Utf8.encodedLength(key);
        if (length < 1 || length > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1.." + CheckpointEntryDescriptor.MAX_KEY_LENGTH +
                " UTF-8 bytes: keyLength=" + length);
        }
        Utf8.encode(key, keyScratch, 0);
        return length;
    }

    private void checkWritable()
    {
        if (Thread.currentThread() != owner)
        {
            throw new IllegalStateException("CheckpointWriter is single-threaded: owner=" + owner.getName() +
                " caller=" + Thread.currentThread().getName());
        }
        if (published || closed)
        {
            throw new IllegalStateException("checkpoint writer is " + (published ? "published" : "closed") + ": file=" + finalFile);
        }
    }

    private void addEntry(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int flags,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (keyLength < 1 || keyLength > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1.." + CheckpointEntryDescriptor.MAX_KEY_LENGTH +
                " bytes: keyLength=" + keyLength);
        }
        if (blockCount > KeyLocation.MAX_BLOCK_INDEX)
        {
            throw new IllegalStateException("too many blocks for one checkpoint: blocks=" + blockCount +
                " (raise the target block length)");
        }
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        final int entryLength = (int)CheckpointEntryDescriptor.entryLength(keyLength, valueLength);
        if (entryLength > targetBlockLength)
        {
            closeBlock();
            index.add(hash, InFileIndexDescriptor.location(blockCount, 0));
            writeLargeEntryBlock(key, keyOffset, keyLength, flags, value, valueOffset, valueLength);
        }
        else
        {
            if (blockLength + entryLength > targetBlockLength)
            {
                closeBlock();
            }
            index.add(hash, InFileIndexDescriptor.location(blockCount, blockLength));
            putEntryHeader(block, blockLength, keyLength, flags, valueLength);
            block.putBytes(blockLength + CheckpointEntryDescriptor.KEY_OFFSET, key, keyOffset, keyLength);
            if (valueLength > 0)
            {
                block.putBytes(blockLength + CheckpointEntryDescriptor.KEY_OFFSET + keyLength, value, valueOffset, valueLength);
            }
            blockLength += entryLength;
            blockEntryCount++;
            if (blockLength == targetBlockLength)
            {
                closeBlock();
            }
        }
        entryCount++;
        rawKeyBytes += keyLength;
        rawValueBytes += valueLength;
    }

    private static void putEntryHeader(
        final MutableDirectBuffer buffer, final int offset, final int keyLength, final int flags, final int valueLength)
    {
        buffer.putShort(offset + CheckpointEntryDescriptor.KEY_LENGTH_OFFSET, (short)keyLength, LITTLE_ENDIAN);
        buffer.putByte(offset + CheckpointEntryDescriptor.FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + CheckpointEntryDescriptor.RESERVED_OFFSET, (byte)0);
        buffer.putInt(offset + CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET, valueLength, LITTLE_ENDIAN);
    }

    private void closeBlock()
    {
        if (blockEntryCount == 0)
        {
            return;
        }
        final long fileOffset = output.position();
        output.beginCrc();
        int flags = 0;
        final ByteBuffer stored;
        if (compressor != null && (stored = compressor.compressBlock(blockByteBuffer, blockLength)) != null)
        {
            flags = BlockTableDescriptor.FLAG_ZSTD;
            output.write(stored);
        }
        else
        {
            output.write(block, 0, blockLength);
        }
        addBlockRow(fileOffset, output.position() - fileOffset, blockLength, output.crc(), blockEntryCount, flags);
        blockLength = 0;
        blockEntryCount = 0;
    }

    private void writeLargeEntryBlock(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int flags,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        final long fileOffset = output.position();
        output.beginCrc();
        putEntryHeader(largeHeaderBuffer, 0, keyLength, flags, valueLength);
        largeHeaderBuffer.putBytes(CheckpointEntryDescriptor.KEY_OFFSET, key, keyOffset, keyLength);
        largeHeader.clear().limit(CheckpointEntryDescriptor.KEY_OFFSET + keyLength);
        if (compressor == null)
        {
            output.write(largeHeader);
            output.write(value, valueOffset, valueLength);
        }
        else
        {
            compressor.streamChunk(largeHeader, output);
            int done = 0;
            while (done < valueLength)
            {
                final int n = Math.min(valueChunk.capacity(), valueLength - done);
                valueChunk.clear();
                value.getBytes(valueOffset + done, valueChunk, 0, n);
                valueChunk.limit(n);
                compressor.streamChunk(valueChunk, output);
                done += n;
            }
            compressor.endStream(output);
        }
        final int rawLength = (int)CheckpointEntryDescriptor.entryLength(keyLength, valueLength);
        final long storedLength = output.position() - fileOffset;
        if (storedLength > 0xFFFF_FFFFL)
        {
            throw new IllegalStateException("stored block too long: storedLength=" + storedLength + " file=" + tmpFile);
        }
        addBlockRow(fileOffset, storedLength, rawLength, output.crc(), 1,
            compressor == null ? 0 : BlockTableDescriptor.FLAG_ZSTD);
    }

    private void addBlockRow(
        final long fileOffset, final long storedLength, final int rawLength, final int crc, final int entries, final int flags)
    {
        final int row = blockCount * BlockTableDescriptor.ROW_LENGTH;
        blockTable.setMemory(row, BlockTableDescriptor.ROW_LENGTH, (byte)0);
        blockTable.putLong(row + BlockTableDescriptor.FILE_OFFSET_OFFSET, fileOffset, LITTLE_ENDIAN);
        blockTable.putInt(row + BlockTableDescriptor.STORED_LENGTH_OFFSET, (int)storedLength, LITTLE_ENDIAN);
        blockTable.putInt(row + BlockTableDescriptor.RAW_LENGTH_OFFSET, rawLength, LITTLE_ENDIAN);
        blockTable.putInt(row + BlockTableDescriptor.CRC_OFFSET, crc, LITTLE_ENDIAN);
        blockTable.putInt(row + BlockTableDescriptor.ENTRY_COUNT_OFFSET, entries, LITTLE_ENDIAN);
        blockTable.putByte(row + BlockTableDescriptor.FLAGS_OFFSET, (byte)flags);
        storedBlockBytes += storedLength;
        blockCount++;
    }

    private UnsafeBuffer writeHeader() throws IOException
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[CheckpointHeaderDescriptor.HEADER_LENGTH]);
        header.putBytes(CheckpointHeaderDescriptor.MAGIC_OFFSET, CheckpointHeaderDescriptor.MAGIC);
        header.putInt(CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET,
            paged ? CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED : CheckpointHeaderDescriptor.FORMAT_VERSION, LITTLE_ENDIAN);
        int flags = 0;
        if (ctx.isDelta())
        {
            flags |= CheckpointHeaderDescriptor.FLAG_DELTA;
        }
        if (ctx.compression() != CheckpointCompression.NONE)
        {
            flags |= CheckpointHeaderDescriptor.FLAG_COMPRESSED;
        }
        header.putInt(CheckpointHeaderDescriptor.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.CHECKPOINT_ID_OFFSET, ctx.checkpointId(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.PARENT_ID_OFFSET, ctx.parentId(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.BASE_ID_OFFSET, ctx.baseId(), LITTLE_ENDIAN);
        header.putInt(CheckpointHeaderDescriptor.CHAIN_ORDINAL_OFFSET, ctx.chainOrdinal(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.STATE_VERSION_OFFSET, ctx.stateVersion(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.PARENT_STATE_VERSION_OFFSET, ctx.parentStateVersion(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.JOURNAL_RESUME_VERSION_OFFSET, ctx.stateVersion() + 1, LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.KEY_COUNT_OFFSET, entryCount, LITTLE_ENDIAN);
        header.putInt(CheckpointHeaderDescriptor.JOURNAL_HINT_CYCLE_OFFSET, ctx.journalHintCycle(), LITTLE_ENDIAN);
        header.putInt(CheckpointHeaderDescriptor.TAG_COUNT_OFFSET, ctx.tagCount(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.JOURNAL_HINT_POSITION_OFFSET, ctx.journalHintPosition(), LITTLE_ENDIAN);
        header.putLong(CheckpointHeaderDescriptor.CREATED_EPOCH_MS_OFFSET, ctx.clock().time(), LITTLE_ENDIAN);
        header.putByte(CheckpointHeaderDescriptor.COMPRESSION_OFFSET, (byte)ctx.compression().code());
        header.putByte(CheckpointHeaderDescriptor.ZSTD_LEVEL_OFFSET,
            (byte)(ctx.compression() == CheckpointCompression.ZSTD ? ctx.zstdLevel() : 0));
        header.putInt(CheckpointHeaderDescriptor.TARGET_BLOCK_LENGTH_OFFSET, targetBlockLength, LITTLE_ENDIAN);
        header.putInt(CheckpointHeaderDescriptor.HEADER_CRC_OFFSET,
            CheckpointFileChecks.crc32c(header, 0, CheckpointHeaderDescriptor.HEADER_CRC_OFFSET), LITTLE_ENDIAN);
        writeFully(ByteBuffer.wrap(header.byteArray()), 0);
        return header;
    }

    private void writeFully(final ByteBuffer buffer, final long position) throws IOException
    {
        long p = position;
        while (buffer.hasRemaining())
        {
            p += channel.write(buffer, p);
        }
    }

    /**
     * Finish the file and publish it: block table, index, footer, final header, {@code force}, atomic
     * rename to the final name, directory {@code force}.
     *
     * @return what was published.
     * @throws IllegalStateException if a key was written twice.
     */
    public CheckpointInfo publish()
    {
        checkWritable();
        try
        {
            closeBlock();
            final long tableOffset = output.position();
            output.beginCrc();
            output.write(blockTable, 0, blockCount * BlockTableDescriptor.ROW_LENGTH);
            final int tableCrc = output.crc();
            output.flush();
            final long indexOffset = output.position();
            final long slotCount = index.slotCount();
            final long footerOffset = indexOffset + slotCount * InFileIndexDescriptor.SLOT_LENGTH;
            writeFully(ByteBuffer.allocate(CheckpointFooterDescriptor.FOOTER_LENGTH), footerOffset);
            final List<long[]> twins = InFileIndexBuilder.newTwinList();
            final int indexCrc = index.writeTo(tmpFile, channel, indexOffset, twins);
            checkTwins(twins);

            final UnsafeBuffer footer = new UnsafeBuffer(new byte[CheckpointFooterDescriptor.FOOTER_LENGTH]);
            footer.putBytes(CheckpointFooterDescriptor.MAGIC_OFFSET, CheckpointFooterDescriptor.MAGIC);
            footer.putLong(CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET, blockCount, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET, tableOffset, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.INDEX_OFFSET_OFFSET, indexOffset, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.INDEX_SLOT_COUNT_OFFSET, slotCount, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.ENTRY_COUNT_OFFSET, entryCount, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.TOMBSTONE_COUNT_OFFSET, tombstoneCount, LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.RAW_VALUE_BYTES_OFFSET, rawValueBytes, LITTLE_ENDIAN);
            footer.putBytes(CheckpointFooterDescriptor.MERKLE_ROOT_OFFSET, MerkleTree.root(blockTable, 0, blockCount));
            footer.putLong(CheckpointFooterDescriptor.CHECKPOINT_ID_OFFSET, ctx.checkpointId(), LITTLE_ENDIAN);
            footer.putLong(CheckpointFooterDescriptor.RAW_KEY_BYTES_OFFSET, rawKeyBytes, LITTLE_ENDIAN);
            footer.putInt(CheckpointFooterDescriptor.BLOCK_TABLE_CRC_OFFSET, tableCrc, LITTLE_ENDIAN);
            footer.putInt(CheckpointFooterDescriptor.INDEX_CRC_OFFSET, indexCrc, LITTLE_ENDIAN);
            footer.putInt(CheckpointFooterDescriptor.FOOTER_CRC_OFFSET,
                CheckpointFileChecks.crc32c(footer, 0, CheckpointFooterDescriptor.FOOTER_CRC_OFFSET), LITTLE_ENDIAN);
            writeFully(ByteBuffer.wrap(footer.byteArray()), footerOffset);
            final UnsafeBuffer header = writeHeader();
            channel.force(true);
            channel.close();
            CheckpointFiles.publish(tmpFile, finalFile);
            published = true;
            return CheckpointFileChecks.info(finalFile, header, footer, footerOffset + CheckpointFooterDescriptor.FOOTER_LENGTH);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot publish checkpoint file=" + finalFile + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!published)
            {
                close();
            }
            else
            {
                release();
            }
        }
    }

    /**
     * Two entries with equal 64-bit hashes: read both keys back from the temp file; equal keys are a
     * caller error (a key written twice).
     */
    private void checkTwins(final List<long[]> twins) throws IOException
    {
        for (final long[] twin : twins)
        {
            final byte[] first = readKeyAt(twin[0]);
            final byte[] second = readKeyAt(twin[1]);
            if (java.util.Arrays.equals(first, second))
            {
                throw new IllegalStateException("key written twice to one checkpoint: key=" +
                    new String(first, java.nio.charset.StandardCharsets.UTF_8) + " file=" + tmpFile);
            }
        }
    }

    private byte[] readKeyAt(final long location) throws IOException
    {
        final int blockIndex = InFileIndexDescriptor.blockIndex(location);
        final int offset = (int)InFileIndexDescriptor.offsetInBlock(location);
        final int row = blockIndex * BlockTableDescriptor.ROW_LENGTH;
        final long fileOffset = blockTable.getLong(row + BlockTableDescriptor.FILE_OFFSET_OFFSET, LITTLE_ENDIAN);
        final int stored = blockTable.getInt(row + BlockTableDescriptor.STORED_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int raw = blockTable.getInt(row + BlockTableDescriptor.RAW_LENGTH_OFFSET, LITTLE_ENDIAN);
        final boolean zstd = (blockTable.getByte(row + BlockTableDescriptor.FLAGS_OFFSET) & BlockTableDescriptor.FLAG_ZSTD) != 0;
        final ByteBuffer rawBlock;
        if (zstd)
        {
            final ByteBuffer src = ByteBuffer.allocateDirect(stored);
            readFully(src, fileOffset);
            rawBlock = ByteBuffer.allocateDirect(raw);
            Zstd.decompressDirectByteBuffer(rawBlock, 0, raw, src, 0, stored);
        }
        else
        {
            final int length = Math.min(raw - offset, CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH + CheckpointEntryDescriptor.MAX_KEY_LENGTH);
            rawBlock = ByteBuffer.allocateDirect(offset + length);
            rawBlock.position(offset);
            readFully(rawBlock, fileOffset + offset);
        }
        final UnsafeBuffer view = new UnsafeBuffer(rawBlock);
        final int keyLength = view.getShort(offset + CheckpointEntryDescriptor.KEY_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final byte[] key = new byte[keyLength];
        view.getBytes(offset + CheckpointEntryDescriptor.KEY_OFFSET, key);
        return key;
    }

    private void readFully(final ByteBuffer buffer, final long position) throws IOException
    {
        final long start = position - buffer.position();
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, start + buffer.position()) < 0)
            {
                throw new IOException("unexpected end of file=" + tmpFile);
            }
        }
    }

    /**
     * Abandon an unpublished checkpoint (its temp file is deleted); after {@link #publish()} only frees memory.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        release();
        if (!published)
        {
            try
            {
                channel.close();
                Files.deleteIfExists(tmpFile);
            }
            catch (final IOException ex)
            {
                throw new CheckpointException("cannot remove abandoned checkpoint file=" + tmpFile + ": " + ex.getMessage(), ex);
            }
        }
    }

    private void release()
    {
        if (compressor != null)
        {
            compressor.close();
        }
        BufferUtil.free(blockByteBuffer);
        BufferUtil.free(valueChunk);
        BufferUtil.free(largeHeader);
        closed = true;
    }
}
