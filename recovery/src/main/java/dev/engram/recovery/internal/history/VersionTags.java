package dev.engram.recovery.internal.history;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.recovery.TagFileException;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.Fsync;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.history.TagFileDescriptor.*;

/**
 * Named versions, kept in {@code <state dir>/version-tags} (see {@link TagFileDescriptor}) and loaded on first
 * use, so a damaged file never stands in the way of opening the state. Thread-safe.
 * <p>
 * A mirror with the same bytes is kept in the checkpoint directory ({@value #MIRROR_NAME}), written after the file:
 * a tags file deleted, emptied, truncated or damaged is restored from an intact mirror, a lost mirror is rewritten,
 * and a file and mirror that differ (a crash between the two writes, or a file swapped for an older one) are
 * resolved in favour of the file — each reported through the repair callback (the store's {@code repairs()} and a
 * WARN), never silently. Only both copies lost loses the tags unreported.
 * <p>
 * A tag is a name for a version, nothing more: it does not hold back retention, so a tag may outlive the
 * data of its version ({@code stateAt} then says which versions are still available).
 */
public final class VersionTags
{
    /** The mirror's name in the checkpoint directory. */
    public static final String MIRROR_NAME = FILE_NAME + ".mirror";

    private final Path file;
    private final Path mirror;
    private final java.util.function.Consumer<String> onRepair;
    private TreeMap<String, Long> tags;
    /** Tags the newest checkpoint recorded when it was written, and which file says so (see {@link #expect}). */
    private int recordedCount;
    private String recordedBy;

    VersionTags(final Path stateDirectory)
    {
        this(stateDirectory, stateDirectory.resolve("checkpoints"), what -> {});
    }

    /**
     * @param onRepair told what was restored or rewritten, in words naming the files.
     */
    VersionTags(final Path stateDirectory, final Path checkpointDirectory, final java.util.function.Consumer<String> onRepair)
    {
        this.file = stateDirectory.resolve(FILE_NAME);
        this.mirror = checkpointDirectory.resolve(MIRROR_NAME);
        this.onRepair = onRepair;
    }

    Path file()
    {
        return file;
    }

    /**
     * What the newest checkpoint recorded: if neither the file nor its mirror is there (or holds a tag) although it
     * recorded tags, the tags were lost (both files deleted or emptied): said through {@code onRepair} as a loss
     * naming both files and the checkpoint, and the store goes on with none (tags made after that checkpoint cannot
     * be counted this way). Loads the tags now.
     *
     * @param count      tags the checkpoint recorded.
     * @param recordedBy the checkpoint file.
     */
    synchronized void expect(final int count, final String recordedBy)
    {
        this.recordedCount = count;
        this.recordedBy = recordedBy;
        try
        {
            loaded();
        }
        catch (final TagFileException ex)
        {
            // a damaged file with no intact mirror: tags() and tag() say so, naming the file
        }
    }

    /**
     * @return the tags held now, or -1 if they cannot be read (a damaged file with no intact mirror).
     */
    synchronized int count()
    {
        try
        {
            return loaded().size();
        }
        catch (final TagFileException ex)
        {
            return -1;
        }
    }

    /**
     * @throws IllegalArgumentException for a bad name.
     * @throws IllegalStateException    if the name already tags another version.
     */
    synchronized void tag(final String name, final long version)
    {
        checkName(name);
        final Map<String, Long> current = loaded();
        final Long existing = current.get(name);
        if (existing != null)
        {
            if (existing == version)
            {
                return;
            }
            throw new IllegalStateException("tag exists: name=" + name + " version=" + existing +
                " (untag it first to move it to version=" + version + ")");
        }
        final TreeMap<String, Long> next = new TreeMap<>(current);
        next.put(name, version);
        store(next);
        tags = next;
    }

    synchronized boolean untag(final String name)
    {
        final Map<String, Long> current = loaded();
        if (!current.containsKey(name))
        {
            return false;
        }
        final TreeMap<String, Long> next = new TreeMap<>(current);
        next.remove(name);
        store(next);
        tags = next;
        return true;
    }

    synchronized SortedMap<String, Long> tags()
    {
        return Collections.unmodifiableSortedMap(new TreeMap<>(loaded()));
    }

    /**
     * @throws IllegalArgumentException if there is no such tag.
     */
    synchronized long versionOf(final String name)
    {
        final Long version = loaded().get(name);
        if (version == null)
        {
            throw new IllegalArgumentException("no tag name=" + name + " (tags: " + loaded().keySet() + ")");
        }
        return version;
    }

    private TreeMap<String, Long> loaded()
    {
        if (tags == null)
        {
            tags = loadWithMirror();
        }
        return tags;
    }

    /**
     * The file, checked against its mirror; whichever is lost or damaged is restored from the other, and said so.
     */
    private TreeMap<String, Long> loadWithMirror()
    {
        final boolean fileExists = Files.exists(file);
        final boolean mirrorExists = Files.exists(mirror);
        TreeMap<String, Long> fromFile = null;
        TagFileException fileFailure = null;
        try
        {
            fromFile = fileExists ? load(file) : null;
        }
        catch (final TagFileException ex)
        {
            fileFailure = ex;
        }
        TreeMap<String, Long> fromMirror = null;
        try
        {
            fromMirror = mirrorExists ? load(mirror) : null;
        }
        catch (final TagFileException ex)
        {
            if (fromFile == null)
            {
                throw fileFailure != null ? fileFailure : ex;   // neither copy is intact: refused, naming the file
            }
        }
        if (fromFile != null)
        {
            if (fromMirror == null || !fromMirror.equals(fromFile))
            {
                writeDurably(mirror, encode(fromFile));
                onRepair.accept(fromMirror == null ? (mirrorExists ? "version-tags mirror " + mirror +
                    " was damaged: rewritten from " + file : "version-tags mirror " + mirror + " was missing: rewritten from " +
                    file) : "version-tags file " + file + " and its mirror " + mirror + " differed (tags " + fromFile +
                    " vs " + fromMirror + "): kept the file's, rewrote the mirror");
            }
            return fromFile;
        }
        if (fromMirror != null)
        {
            writeDurably(file, encode(fromMirror));
            onRepair.accept("version-tags file " + file + (fileFailure != null ? " was damaged (" + fileFailure.getMessage() +
                ")" : " was missing") + ": restored " + fromMirror.size() + " tags from its mirror " + mirror);
            return fromMirror;
        }
        if (fileFailure != null)
        {
            throw fileFailure;
        }
        if (recordedCount > 0)
        {
            onRepair.accept("TAGS LOST: version-tags file " + file + " and its mirror " + mirror + " are both missing, " +
                "but checkpoint " + recordedBy + " recorded " + recordedCount + " tags when it was written: the store goes " +
                "on with none; restore the file from a backup (or tag the versions again) to get them back");
        }
        return new TreeMap<>();   // never tagged, or lost (said above)
    }

    static void checkName(final String name)
    {
        if (name == null)
        {
            throw new IllegalArgumentException("tag name must not be null");
        }
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("tag name must not be empty");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !isPairedSurrogate(name, i))
            {
                throw new IllegalArgumentException("tag name has a control character or unpaired surrogate at index=" +
                    i + ": name=" + name);
            }
        }
        final int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("tag name longer than " + MAX_NAME_LENGTH + " UTF-8 bytes: length=" + length);
        }
    }

    private static boolean isPairedSurrogate(final String text, final int i)
    {
        final char c = text.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)) :
            i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }

    /**
     * @return the file's bytes for these tags.
     */
    static byte[] encode(final SortedMap<String, Long> tags)
    {
        int length = MIN_FILE_LENGTH;
        for (final String name : tags.keySet())
        {
            length += entryLength(name.getBytes(StandardCharsets.UTF_8).length);
        }
        final byte[] bytes = new byte[length];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putBytes(MAGIC_OFFSET, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(TAG_COUNT_OFFSET, tags.size(), ByteOrder.LITTLE_ENDIAN);
        int offset = FIRST_ENTRY_OFFSET;
        for (final Map.Entry<String, Long> tag : tags.entrySet())
        {
            final byte[] name = tag.getKey().getBytes(StandardCharsets.UTF_8);
            buffer.putLong(offset + ENTRY_VERSION_OFFSET, tag.getValue(), ByteOrder.LITTLE_ENDIAN);
            buffer.putShort(offset + ENTRY_NAME_LENGTH_OFFSET, (short)name.length, ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(offset + ENTRY_NAME_OFFSET, name);
            offset += entryLength(name.length);
        }
        buffer.putInt(offset, crc(bytes, offset), ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /**
     * @return the tags the file holds (empty if there is no file).
     * @throws TagFileException if it is damaged or of a newer format (names the offset).
     */
    public static TreeMap<String, Long> load(final Path file)
    {
        final byte[] bytes;
        try
        {
            final long size = Files.size(file);
            if (size > MAX_FILE_LENGTH)
            {
                throw new TagFileException(file, MAX_FILE_LENGTH, "version-tags file longer than " + MAX_FILE_LENGTH +
                    " bytes: length=" + size);
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return new TreeMap<>();
        }
        catch (final IOException ex)
        {
            throw new TagFileException(file, "cannot read the version-tags file", ex);
        }
        return decode(file, bytes);
    }

    static TreeMap<String, Long> decode(final Path file, final byte[] bytes)
    {
        if (bytes.length < MIN_FILE_LENGTH)
        {
            throw new TagFileException(file, bytes.length, "version-tags file too short: length=" + bytes.length);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (bytes[MAGIC_OFFSET + i] != MAGIC[i])
            {
                throw new TagFileException(file, MAGIC_OFFSET + i, "not a version-tags file (bad magic)");
            }
        }
        final int crcOffset = bytes.length - CRC_LENGTH;
        final int storedCrc = buffer.getInt(crcOffset, ByteOrder.LITTLE_ENDIAN);
        if (storedCrc != crc(bytes, crcOffset))
        {
            throw new TagFileException(file, crcOffset, "version-tags file CRC32C mismatch");
        }
        final int formatVersion = buffer.getInt(FORMAT_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (formatVersion != FORMAT_VERSION)
        {
            throw new TagFileException(file, FORMAT_VERSION_OFFSET, "unsupported version-tags format version=" +
                formatVersion + " (this build reads " + FORMAT_VERSION + ")");
        }
        final long count = buffer.getInt(TAG_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final TreeMap<String, Long> tags = new TreeMap<>();
        int offset = FIRST_ENTRY_OFFSET;
        for (long i = 0; i < count; i++)
        {
            if (offset + ENTRY_NAME_OFFSET > crcOffset)
            {
                throw new TagFileException(file, offset, "tag entry " + i + " of " + count + " runs past the entries");
            }
            final long version = buffer.getLong(offset + ENTRY_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final int nameLength = buffer.getShort(offset + ENTRY_NAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            if (nameLength < 1 || nameLength > MAX_NAME_LENGTH || offset + entryLength(nameLength) > crcOffset)
            {
                throw new TagFileException(file, offset + ENTRY_NAME_LENGTH_OFFSET, "bad tag name length=" + nameLength);
            }
            final String name;
            try
            {
                name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset + ENTRY_NAME_OFFSET, nameLength))
                    .toString();
            }
            catch (final CharacterCodingException ex)
            {
                throw new TagFileException(file, offset + ENTRY_NAME_OFFSET, "tag name is not UTF-8");
            }
            if (version < 0 || tags.put(name, version) != null)
            {
                throw new TagFileException(file, offset, "tag " + name + ": negative version or a duplicate name");
            }
            offset += entryLength(nameLength);
        }
        if (offset != crcOffset)
        {
            throw new TagFileException(file, offset, (crcOffset - offset) + " bytes after the last of " + count + " tags");
        }
        return tags;
    }

    /**
     * Write the whole list durably: temp file, fsync, atomic rename over the old file, fsync the directory.
     */
    private void store(final SortedMap<String, Long> next)
    {
        final byte[] bytes = encode(next);
        writeDurably(file, bytes);
        writeDurably(mirror, bytes);   // after the file: a crash between the two leaves the file newer (it wins)
    }

    private static void writeDurably(final Path target, final byte[] bytes)
    {
        final Path tmp = target.resolveSibling(target.getFileName() + CheckpointFiles.TMP_SUFFIX);
        try
        {
            DirectoryLock.ensurePrivateDirectory(target.getParent());
            Files.write(tmp, bytes);
            DirectoryLock.setOwnerOnly(tmp, "rw-------");
            Fsync.file(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(target.getParent());
        }
        catch (final IOException ex)
        {
            throw new TagFileException(target, "cannot write the version-tags file durably (the tag was not added or removed)", ex);
        }
    }

    private static int crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int)crc.getValue();
    }
}
