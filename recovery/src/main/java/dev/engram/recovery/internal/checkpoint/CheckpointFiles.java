package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * File names in a checkpoint directory, and the durable-publication steps they share.
 * <ul>
 *     <li>{@code ckpt-<id as 16 hex digits>.ckp}: a checkpoint (full or delta);</li>
 *     <li>{@code catalog-<newest checkpoint id>.cm} + {@code .seal}: the catalog;</li>
 *     <li>{@code keys-<head checkpoint id>.cm} + {@code .seal}: a chain head's key-location index;</li>
 *     <li>any of these plus {@link #TMP_SUFFIX}: being written; never read, deleted when found.</li>
 * </ul>
 */
public final class CheckpointFiles
{
    public static final String CHECKPOINT_PREFIX = "ckpt-";
    public static final String CHECKPOINT_SUFFIX = ".ckp";
    public static final String CATALOG_PREFIX = "catalog-";
    public static final String KEY_INDEX_PREFIX = "keys-";
    public static final String MAP_SUFFIX = ".cm";
    public static final String SEAL_SUFFIX = ".seal";
    public static final String TMP_SUFFIX = ".tmp";

    private CheckpointFiles()
    {
    }

    /**
     * @param checkpointId a checkpoint id.
     * @return its file name.
     */
    public static String checkpointFileName(final long checkpointId)
    {
        return CHECKPOINT_PREFIX + hex16(checkpointId) + CHECKPOINT_SUFFIX;
    }

    /**
     * @param fileName a file name.
     * @return the checkpoint id it names, or -1 if it is not a published checkpoint's name.
     */
    public static long checkpointId(final String fileName)
    {
        return idFromName(fileName, CHECKPOINT_PREFIX, CHECKPOINT_SUFFIX);
    }

    public static String catalogFileName(final long newestId)
    {
        return CATALOG_PREFIX + hex16(newestId) + MAP_SUFFIX;
    }

    public static String keyIndexFileName(final long headId)
    {
        return KEY_INDEX_PREFIX + hex16(headId) + MAP_SUFFIX;
    }

    /**
     * @return {@code value} as 16 lower-case hex digits (what {@code %016x} gives, without a Formatter).
     */
    static String hex16(final long value)
    {
        final String digits = Long.toHexString(value);
        return "0000000000000000".substring(digits.length()) + digits;
    }

    public static long idFromName(final String fileName, final String prefix, final String suffix)
    {
        if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix) ||
            fileName.length() != prefix.length() + 16 + suffix.length())
        {
            return -1;
        }
        try
        {
            return Long.parseUnsignedLong(fileName.substring(prefix.length(), prefix.length() + 16), 16);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @param directory a checkpoint directory.
     * @return the published checkpoint files in it, by ascending id (temp files are not listed).
     */
    public static List<Path> listCheckpoints(final Path directory)
    {
        final List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return result;
        }
        // plain listing and sorting (no streams or lambdas): this runs first thing on the restart path
        final String[] names = directory.toFile().list();
        if (names == null)
        {
            throw new CheckpointException("cannot list checkpoint directory=" + directory);
        }
        final java.util.TreeMap<Long, String> byId = new java.util.TreeMap<>();   // ids are positive
        for (final String name : names)
        {
            final long id = checkpointId(name);
            if (id > 0)
            {
                byId.put(id, name);
            }
        }
        for (final String name : byId.values())
        {
            result.add(directory.resolve(name));
        }
        return result;
    }

    public static Path tmpOf(final Path file)
    {
        return file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    }

    public static Path sealOf(final Path mapFile)
    {
        return mapFile.resolveSibling(mapFile.getFileName() + SEAL_SUFFIX);
    }

    /**
     * Rename a fully written, forced temp file into place atomically, then force the directory so the
     * rename itself survives a machine crash.
     */
    public static void publish(final Path tmp, final Path target) throws IOException
    {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(target.getParent());
    }

    public static void forceFile(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
