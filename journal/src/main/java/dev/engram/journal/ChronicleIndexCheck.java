package dev.engram.journal;

import dev.engram.journal.internal.ChronicleDocumentHeader;
import dev.engram.journal.internal.CycleFiles;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chronicle's own addresses in every cycle file, checked before Chronicle opens the queue and follows them: read,
 * validate, then let Chronicle trust them. Chronicle maps whatever address its index names: a garbled entry (random
 * bytes over the index) made its {@code toEnd} grow a mapped file's chunk list towards an address of 2^60 until the
 * heap was gone ({@code OutOfMemoryError} out of the open, fault case 46 of seed 25544864401611).
 * <p>
 * What a cycle file holds (Chronicle's binary wire, little-endian):
 * <pre>
 *   position 0         the store header (a metadata document): fields writePosition (an int64 array, [0] = where
 *                      the next document goes), indexing { indexCount, indexSpacing, index2Index (the position of
 *                      the index2index document, 0 before one exists), lastIndex }
 *   index2Index        a metadata document "index2index": an int64 array of indexCount entries, each 0 or the
 *                      position of an index document
 *   index documents    metadata documents "index": an int64 array of indexCount entries; entry k of the n-th index
 *                      is 0 or the position of the header of excerpt (n × indexCount + k) × indexSpacing
 * </pre>
 * What is checked: the header's positions lie inside the file; the index2index document is a complete metadata
 * document of that name whose array has indexCount entries; each non-zero entry names an index document of that
 * shape; each non-zero index entry names the header of a complete data document, in increasing order.
 * <p>
 * What is done: an index <em>entry</em> that fails is set to 0, which Chronicle reads as "not indexed yet" (it scans
 * from the entry before, and indexes again as it reads), so no document is lost; the bytes are kept
 * ({@link #restore}) so that an open failing later leaves the file as it found it. A damaged <em>structure</em> (the
 * header's positions, an array's length or the index2index document itself) cannot be mended that way: the open is
 * refused with a {@link JournalCorruptionException} naming the file, the position and the next step.
 */
final class ChronicleIndexCheck
{
    private static final int MAX_HEADER = 64 * 1024;
    private static final int MAX_INDEX_COUNT = 1 << 20;
    private static final int I64_ARRAY = 0x8D;
    private static final int PADDING32 = 0x8E;
    private static final int PADDING = 0x8F;
    private static final int FIELD_NAME0 = 0xC0;

    private final List<Zeroed> zeroed = new ArrayList<>();
    private final StringBuilder description = new StringBuilder();

    private record Zeroed(File file, long position, long original)
    {
    }

    private ChronicleIndexCheck()
    {
    }

    /**
     * Check every cycle file of the journal and zero the index entries that fail.
     *
     * @return what was mended (file, position, the entry's old value), or null if every index was sound.
     * @throws JournalCorruptionException if a file's structure is damaged beyond an index entry (named).
     * @throws JournalException           if a file cannot be read or written.
     */
    static ChronicleIndexCheck repairBeforeOpen(final JournalContext ctx)
    {
        final ChronicleIndexCheck check = new ChronicleIndexCheck();
        final CycleFiles files = new CycleFiles(ctx.directory(), ctx.rollCycle());
        try
        {
            for (final Map.Entry<Integer, File> entry : files.list().entrySet())
            {
                check.checkFile(entry.getValue());
            }
        }
        catch (final RuntimeException ex)
        {
            check.restore(ex);
            throw ex;
        }
        return check.zeroed.isEmpty() ? null : check;
    }

    /**
     * @return what was mended, for the open report and the log.
     */
    String describe()
    {
        return description.toString();
    }

    /**
     * Put the zeroed entries back (after an open that failed later). Failures are added to {@code failure}.
     */
    void restore(final Throwable failure)
    {
        for (int i = zeroed.size() - 1; i >= 0; i--)
        {
            final Zeroed entry = zeroed.get(i);
            try (FileChannel channel = FileChannel.open(entry.file.toPath(), StandardOpenOption.WRITE))
            {
                writeLong(channel, entry.position, entry.original);
                channel.force(false);
            }
            catch (final IOException | RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
        zeroed.clear();
    }

    private void checkFile(final File file)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            new FileCheck(file, channel).run();
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot check the Chronicle index of journal cycle file=" + file + " before " +
                "opening the queue: " + ex.getMessage() + "; check the file's permissions and the disk, then reopen", ex);
        }
    }

    /**
     * One file's check.
     */
    private final class FileCheck
    {
        private final File file;
        private final FileChannel channel;
        private final long size;
        private final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        FileCheck(final File file, final FileChannel channel) throws IOException
        {
            this.file = file;
            this.channel = channel;
            this.size = channel.size();
        }

        void run() throws IOException
        {
            if (size < ChronicleDocumentHeader.HEADER_LENGTH)
            {
                return;   // empty or half-created: the loss check and the store's open deal with it
            }
            final int headerWord = readInt(0);
            if (headerWord == ChronicleDocumentHeader.NOT_INITIALIZED || (headerWord & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
            {
                return;   // a header Chronicle never finished: Chronicle's open rewrites or refuses it, no address in it
            }
            final int headerLength = headerWord & ChronicleDocumentHeader.LENGTH_MASK;
            if ((headerWord & ChronicleDocumentHeader.META_DATA) == 0 || headerLength > MAX_HEADER ||
                ChronicleDocumentHeader.HEADER_LENGTH + headerLength > size)
            {
                throw damaged(0, "its store header word 0x" + Integer.toHexString(headerWord) + " is not a metadata " +
                    "document that fits in the file");
            }
            final ByteBuffer header = read(ChronicleDocumentHeader.HEADER_LENGTH, headerLength);
            final long headerEnd = ChronicleDocumentHeader.nextHeaderPosition(0, headerWord);

            final long writePosition = int64ArrayFirst(header, "writePosition");
            if (writePosition != Long.MIN_VALUE && (writePosition < 0 || writePosition > size))
            {
                throw damaged(fieldPosition(header, "writePosition"), "its header's writePosition=" + writePosition +
                    " lies outside the file (length " + size + ")");
            }
            final long indexCount = number(header, "indexCount");
            final long indexSpacing = number(header, "indexSpacing");
            final long index2Index = number(header, "index2Index");
            final long lastIndex = number(header, "lastIndex");
            if (indexCount != Long.MIN_VALUE && (indexCount <= 0 || indexCount > MAX_INDEX_COUNT || Long.bitCount(indexCount) != 1))
            {
                throw damaged(fieldPosition(header, "indexCount"), "its header's indexCount=" + indexCount + " is not a " +
                    "power of two up to " + MAX_INDEX_COUNT);
            }
            if (indexSpacing != Long.MIN_VALUE && (indexSpacing <= 0 || indexSpacing > MAX_INDEX_COUNT || Long.bitCount(indexSpacing) != 1))
            {
                throw damaged(fieldPosition(header, "indexSpacing"), "its header's indexSpacing=" + indexSpacing + " is " +
                    "not a power of two up to " + MAX_INDEX_COUNT);
            }
            if (indexCount != Long.MIN_VALUE && indexSpacing != Long.MIN_VALUE && lastIndex != Long.MIN_VALUE &&
                (lastIndex < -1 || lastIndex > indexCount * indexCount * indexSpacing))
            {
                throw damaged(fieldPosition(header, "lastIndex"), "its header's lastIndex=" + lastIndex + " is outside " +
                    "[0, indexCount² × indexSpacing]");
            }
            if (index2Index == Long.MIN_VALUE || index2Index == 0 || indexCount == Long.MIN_VALUE)
            {
                return;   // no index yet (or Chronicle will not find one): nothing it follows
            }
            if (index2Index < headerEnd || (index2Index & 3) != 0 || index2Index + ChronicleDocumentHeader.HEADER_LENGTH > size)
            {
                throw damaged(fieldPosition(header, "index2Index"), "its header's index2Index=" + index2Index + " is not " +
                    "a document position after the header inside the file (length " + size + ")");
            }
            final long entries = arrayDocument(index2Index, "index2index", indexCount, true);
            for (int i = 0; i < indexCount; i++)
            {
                final long at = entries + 8L * i;
                final long indexPosition = readLong(at);
                if (indexPosition == 0)
                {
                    continue;
                }
                final long indexEntries = indexPosition <= headerEnd || (indexPosition & 3) != 0 ||
                    indexPosition + ChronicleDocumentHeader.HEADER_LENGTH > size ? -1 :
                    arrayDocument(indexPosition, "index", indexCount, false);
                if (indexEntries < 0)
                {
                    zero(at, indexPosition, "index2index entry " + i);
                    continue;
                }
                checkIndex(indexEntries, indexCount, i);
            }
        }

        /**
         * Zero every entry of one index document that does not name a complete data document after the one before.
         */
        private void checkIndex(final long entries, final long indexCount, final int indexNumber) throws IOException
        {
            final ByteBuffer array = read(entries, (int)(8 * indexCount));
            long previous = 0;
            for (int k = 0; k < indexCount; k++)
            {
                final long position = array.getLong(8 * k);
                if (position == 0)
                {
                    continue;
                }
                if (position > previous && (position & 3) == 0 && position + ChronicleDocumentHeader.HEADER_LENGTH <= size)
                {
                    final int header = readInt(position);
                    final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
                    if (header != ChronicleDocumentHeader.NOT_INITIALIZED &&
                        (header & (ChronicleDocumentHeader.NOT_COMPLETE | ChronicleDocumentHeader.META_DATA)) == 0 &&
                        position + ChronicleDocumentHeader.HEADER_LENGTH + length <= size)
                    {
                        previous = position;
                        continue;
                    }
                    if (header != ChronicleDocumentHeader.NOT_INITIALIZED && (header & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
                    {
                        previous = position;   // indexed as it was written, then the crash came
                        continue;
                    }
                }
                zero(entries + 8L * k, position, "index " + indexNumber + " entry " + k);
            }
        }

        /**
         * @return the position of the first entry of the named int64-array document at {@code position}, or -1 (an
         *         index document, {@code structural} false) if it is not one of {@code count} entries.
         * @throws JournalCorruptionException if it is not one and {@code structural}.
         */
        private long arrayDocument(final long position, final String name, final long count, final boolean structural)
            throws IOException
        {
            final int header = readInt(position);
            final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
            final String why;
            if ((header & ChronicleDocumentHeader.META_DATA) == 0 || (header & ChronicleDocumentHeader.NOT_COMPLETE) != 0 ||
                position + ChronicleDocumentHeader.HEADER_LENGTH + length > size || length < 8 * count)
            {
                why = "the document header there (0x" + Integer.toHexString(header) + ") is not a complete metadata " +
                    "document of " + count + " entries";
            }
            else
            {
                final ByteBuffer start = read(position + ChronicleDocumentHeader.HEADER_LENGTH, Math.min(length, 64));
                final int at = valueAfterName(start, name, 0);
                if (at < 0 || at + 17 > start.limit() || (start.get(at) & 0xFF) != I64_ARRAY)
                {
                    why = "the document there is not an int64 array named " + name;
                }
                else if (start.getLong(at + 1) != count || start.getLong(at + 9) < 0 || start.getLong(at + 9) > count)
                {
                    why = "its array says " + start.getLong(at + 1) + " entries (" + start.getLong(at + 9) +
                        " used), not " + count;
                }
                else
                {
                    final long entries = position + ChronicleDocumentHeader.HEADER_LENGTH + at + 17;
                    if (entries + 8 * count > position + ChronicleDocumentHeader.HEADER_LENGTH + length)
                    {
                        why = "its entries run past the document";
                    }
                    else
                    {
                        return entries;
                    }
                }
            }
            if (!structural)
            {
                return -1;
            }
            throw damaged(position, "its " + name + " document at position=" + position + " is damaged: " + why);
        }

        private void zero(final long at, final long original, final String what) throws IOException
        {
            writeLong(channel, at, 0);
            zeroed.add(new Zeroed(file, at, original));
            if (description.length() > 0)
            {
                description.append("; ");
            }
            description.append("zeroed Chronicle ").append(what).append(" at position=").append(at).append(" of ")
                .append(file).append(" (it named position=").append(original).append(", where no document it indexes is)");
        }

        private JournalCorruptionException damaged(final long position, final String what)
        {
            return new JournalCorruptionException("journal cycle file=" + file + " has a damaged Chronicle header or " +
                "index: " + what + " (at position=" + position + "); Chronicle would follow it, so the queue is not " +
                "opened and nothing was changed: restore the journal (or the state directory) from a backup, or move " +
                "this cycle file aside and reopen with acceptJournalLoss(true) to lose its versions", file, position, -1);
        }

        private int readInt(final long position) throws IOException
        {
            word.clear().limit(4);
            fill(word, position);
            return word.getInt(0);
        }

        private long readLong(final long position) throws IOException
        {
            word.clear();
            fill(word, position);
            return word.getLong(0);
        }

        private ByteBuffer read(final long position, final int length) throws IOException
        {
            final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            fill(bytes, position);
            return bytes;
        }

        private void fill(final ByteBuffer target, final long position) throws IOException
        {
            long at = position;
            while (target.hasRemaining())
            {
                final int read = channel.read(target, at);
                if (read < 0)
                {
                    while (target.hasRemaining())
                    {
                        target.put((byte)0);
                    }
                    break;
                }
                at += read;
            }
            target.flip();
        }
    }

    /**
     * @return the value of a numeric field of the header, or {@link Long#MIN_VALUE} if it has no field of that name
     *         (Chronicle then uses its default and follows nothing of ours).
     * @throws IllegalStateException never; an unreadable number reads as MIN_VALUE + 1, which every check refuses.
     */
    static long number(final ByteBuffer header, final String name)
    {
        final int at = valueAfterName(header, name, 0);
        if (at < 0 || at >= header.limit())
        {
            return Long.MIN_VALUE;
        }
        final int code = header.get(at) & 0xFF;
        if (code < 0x80)
        {
            return code;
        }
        final int remaining = header.limit() - at - 1;
        return switch (code)
        {
            case 0xA1 -> remaining >= 1 ? header.get(at + 1) & 0xFFL : Long.MIN_VALUE + 1;
            case 0xA2 -> remaining >= 2 ? header.getShort(at + 1) & 0xFFFFL : Long.MIN_VALUE + 1;
            case 0xA3 -> remaining >= 4 ? header.getInt(at + 1) & 0xFFFF_FFFFL : Long.MIN_VALUE + 1;
            case 0xA4 -> remaining >= 1 ? header.get(at + 1) : Long.MIN_VALUE + 1;
            case 0xA5 -> remaining >= 2 ? header.getShort(at + 1) : Long.MIN_VALUE + 1;
            case 0xA6 -> remaining >= 4 ? header.getInt(at + 1) : Long.MIN_VALUE + 1;
            case 0xA7, 0xAF -> remaining >= 8 ? header.getLong(at + 1) : Long.MIN_VALUE + 1;
            default -> Long.MIN_VALUE + 1;
        };
    }

    /**
     * @return the first element of an int64-array field, {@link Long#MIN_VALUE} if there is no such field, or
     *         {@code -1} if the field is not a non-empty int64 array.
     */
    static long int64ArrayFirst(final ByteBuffer header, final String name)
    {
        final int at = valueAfterName(header, name, 0);
        if (at < 0)
        {
            return Long.MIN_VALUE;
        }
        if (at + 25 > header.limit() || (header.get(at) & 0xFF) != I64_ARRAY || header.getLong(at + 1) < 1)
        {
            return -1;
        }
        return header.getLong(at + 17);
    }

    private static long fieldPosition(final ByteBuffer header, final String name)
    {
        final int at = valueAfterName(header, name, 0);
        return at < 0 ? ChronicleDocumentHeader.HEADER_LENGTH : ChronicleDocumentHeader.HEADER_LENGTH + at;
    }

    /**
     * Find a field by name (its name written as {@code 0xC0 + length} or as a length byte before the name) at or after
     * {@code from}, and skip the padding after it.
     *
     * @return the position of the field's value, or -1 if there is no such field.
     */
    static int valueAfterName(final ByteBuffer bytes, final String name, final int from)
    {
        final byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        final int limit = bytes.limit() - wanted.length;
        for (int start = Math.max(from, 1); start <= limit; start++)
        {
            final int before = bytes.get(start - 1) & 0xFF;
            if (before != (FIELD_NAME0 | wanted.length) && before != wanted.length)
            {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < wanted.length && match; i++)
            {
                match = bytes.get(start + i) == wanted[i];
            }
            if (!match)
            {
                continue;
            }
            int at = start + wanted.length;
            while (at < bytes.limit())
            {
                final int code = bytes.get(at) & 0xFF;
                if (code == PADDING)
                {
                    at++;
                }
                else if (code == PADDING32 && at + 5 <= bytes.limit())
                {
                    at += 5 + Math.max(0, bytes.getInt(at + 1));
                }
                else
                {
                    break;
                }
            }
            return at;
        }
        return -1;
    }

    private static void writeLong(final FileChannel channel, final long position, final long value) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        long at = position;
        while (bytes.hasRemaining())
        {
            at += channel.write(bytes, at);
        }
    }
}
