package dev.engram.recovery;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The kinds of damage the fault-injection suite does to one file. Positions are drawn from the case's random: in the
 * file's header, near the end of its data, or anywhere in its data. Chronicle pre-allocates cycle files sparsely, so in
 * a cycle file "its data" ends at the last non-zero byte, not at the file's length.
 */
enum FaultDamage
{
    BIT_FLIP, GARBAGE_RANGE, TRUNCATE, TRUNCATE_TO_BLOCK, ZERO_PAGE, DELETE, EMPTY, SWAP_OLDER, SWAP_NEWER;

    static final int PAGE = 4096;

    /**
     * Damage {@code target}.
     *
     * @param source for the swaps: the file whose bytes replace the target's (null for the others).
     * @return what was done (file, offset, length), or null when this damage does not apply to the file (e.g. a
     * bit flip in an empty lock file).
     */
    String apply(final Path target, final Path source, final Random random)
    {
        try
        {
            final long length = Files.size(target);
            final long extent = dataExtent(target);
            final String name = target.getFileName().toString();
            switch (this)
            {
                case BIT_FLIP ->
                {
                    if (extent == 0)
                    {
                        return null;
                    }
                    final long at = position(extent, random, 1);
                    final int bit = random.nextInt(8);
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                    {
                        raf.seek(at);
                        final int b = raf.read();
                        raf.seek(at);
                        raf.write(b ^ (1 << bit));
                    }
                    return "flip bit " + bit + " of " + name + " at " + at + " (data extent " + extent + ")";
                }
                case GARBAGE_RANGE ->
                {
                    final byte[] garbage = new byte[16 + random.nextInt(497)];
                    random.nextBytes(garbage);
                    final long at = extent == 0 ? 0 : position(extent, random, 1);
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                    {
                        raf.seek(at);
                        raf.write(garbage);
                    }
                    return "write " + garbage.length + " random bytes into " + name + " at " + at + " (data extent " + extent + ")";
                }
                case TRUNCATE, TRUNCATE_TO_BLOCK ->
                {
                    if (extent == 0)
                    {
                        return null;
                    }
                    long at = 1 + (long)(random.nextDouble() * (extent - 1));
                    if (this == TRUNCATE_TO_BLOCK)
                    {
                        at = at / PAGE * PAGE;
                        if (at == 0 && length > PAGE)
                        {
                            at = PAGE;
                        }
                    }
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                    {
                        raf.setLength(at);
                    }
                    return "truncate " + name + " from " + length + " to " + at + " bytes (data extent " + extent + ")";
                }
                case ZERO_PAGE ->
                {
                    if (extent == 0)
                    {
                        return null;
                    }
                    final long at = (long)random.nextInt((int)((extent + PAGE - 1) / PAGE)) * PAGE;
                    final int count = (int)Math.min(PAGE, length - at);
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                    {
                        raf.seek(at);
                        raf.write(new byte[count]);
                    }
                    return "zero " + count + " bytes of " + name + " at " + at + " (data extent " + extent + ")";
                }
                case DELETE ->
                {
                    Files.delete(target);
                    return "delete " + name;
                }
                case EMPTY ->
                {
                    if (length == 0)
                    {
                        return null;
                    }
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                    {
                        raf.setLength(0);
                    }
                    return "empty " + name + " (was " + length + " bytes)";
                }
                case SWAP_OLDER, SWAP_NEWER ->
                {
                    if (source == null)
                    {
                        return null;
                    }
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    return "replace " + name + " with " + (this == SWAP_OLDER ? "an older " : "a newer ") + "file: " +
                        source.getParent().getParent().getFileName() + "/" + source.getParent().getFileName() + "/" +
                        source.getFileName();
                }
                default -> throw new IllegalStateException(toString());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A position in [0, extent): the header (30 %), the last 512 bytes of the data (20 %), or anywhere. */
    private static long position(final long extent, final Random random, final int length)
    {
        final double region = random.nextDouble();
        final long span = Math.max(1, extent - length + 1);
        if (region < 0.3)
        {
            return random.nextInt((int)Math.min(512, span));
        }
        if (region < 0.5)
        {
            return span - 1 - random.nextInt((int)Math.min(512, span));
        }
        return (long)(random.nextDouble() * span);
    }

    /**
     * @return where a file's data ends: one past its last non-zero byte (for a sparse, pre-allocated cycle file much
     * less than its length).
     */
    static long dataExtent(final Path file) throws IOException
    {
        final long length = Files.size(file);
        if (length == 0)
        {
            return 0;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            final byte[] page = new byte[PAGE];
            for (long end = length; end > 0; end -= PAGE)
            {
                final long start = Math.max(0, end - PAGE);
                final int n = (int)(end - start);
                raf.seek(start);
                raf.readFully(page, 0, n);
                for (int i = n - 1; i >= 0; i--)
                {
                    if (page[i] != 0)
                    {
                        return start + i + 1;
                    }
                }
            }
        }
        return length;
    }

    /**
     * The file whose bytes replace {@code target} in a swap, or null: for {@link #SWAP_OLDER} the same file in the
     * older store if it differs, else the older store's newest file of the kind, else the file of the kind just before
     * the target; for {@link #SWAP_NEWER} (the target is in the older store) the same file in the later store if it
     * differs, else the later store's newest file of the kind.
     */
    Path swapSource(final FaultFileKind kind, final Path target, final Path base, final FaultFixture fixture) throws IOException
    {
        if (this == SWAP_OLDER)
        {
            final Path sameName = fixture.older.resolve(base.relativize(target).toString());
            if (Files.exists(sameName) && differs(sameName, target))
            {
                return sameName;
            }
            final List<Path> olderFiles = kind.files(fixture.older);
            if (!olderFiles.isEmpty() && differs(olderFiles.get(olderFiles.size() - 1), target))
            {
                return olderFiles.get(olderFiles.size() - 1);
            }
            final List<Path> here = kind.files(base);
            final int at = here.indexOf(target);
            return at > 0 && differs(here.get(at - 1), target) ? here.get(at - 1) : null;
        }
        if (this == SWAP_NEWER)
        {
            final Path sameName = fixture.clean.resolve(base.relativize(target).toString());
            if (Files.exists(sameName) && differs(sameName, target))
            {
                return sameName;
            }
            final List<Path> newer = kind.files(fixture.clean);
            return !newer.isEmpty() && differs(newer.get(newer.size() - 1), target) ? newer.get(newer.size() - 1) : null;
        }
        return null;
    }

    private static boolean differs(final Path a, final Path b) throws IOException
    {
        return Files.size(a) != Files.size(b) || !Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
