package dev.engram.backup;

import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.repository.ChunkIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the last backups made through one {@link Backups} found in each file they chunked, so that the next backup does
 * not read and hash again a file that has not changed: a published checkpoint (written once, then renamed into place)
 * or a journal cycle file backed up to the same end. Continuous mode backs up the same store every second; without this
 * every backup re-read and re-hashed the whole chain and journal (`bench continuous`: ~1.5 s per backup of a 20 MiB
 * state, an RPO of 3 s at a 1 s interval).
 * <p>
 * An entry is used only if the file is the same file as then ({@link BasicFileAttributes#fileKey()}: device and inode),
 * with the same size and modification time, cut into the same pieces, read to the same limit, and every chunk it lists
 * is still in the repository (a prune may have removed some). The attributes are read before the file is chunked, so a
 * file changed while it was read has a newer time next time and is read again. Held in memory only (never stored:
 * a new process starts empty); entries of files the last backup did not see are dropped. Thread-safe.
 */
final class FileChunkCache
{
    /** What identifies a file's content as chunked. */
    record Key(Path file, Object fileKey, long size, long modifiedNs, String path, int flags, long length, long readLimit,
        long[] pieces)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key key && file.equals(key.file) && Objects.equals(fileKey, key.fileKey) &&
                size == key.size && modifiedNs == key.modifiedNs && path.equals(key.path) && flags == key.flags &&
                length == key.length && readLimit == key.readLimit && Arrays.equals(pieces, key.pieces);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(file, fileKey, size, modifiedNs, path, flags, length, readLimit) * 31 + Arrays.hashCode(pieces);
        }
    }

    private Map<Path, Map.Entry<Key, Manifest.File>> entries = new HashMap<>();
    private Map<Path, Map.Entry<Key, Manifest.File>> seen = new HashMap<>();
    private long hits;

    /**
     * @return the key of {@code file} as it is now, or null if it has no stable identity here (no file key).
     */
    static Key key(final Path file, final String path, final int flags, final long length, final long readLimit,
        final List<long[]> pieces) throws IOException
    {
        final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (attributes.fileKey() == null)
        {
            return null;
        }
        final long[] flat = new long[pieces.size() * 2];
        for (int i = 0; i < pieces.size(); i++)
        {
            flat[2 * i] = pieces.get(i)[0];
            flat[2 * i + 1] = pieces.get(i)[1];
        }
        return new Key(file, attributes.fileKey(), attributes.size(),
            attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), path, flags, length, readLimit, flat);
    }

    /**
     * @return what the file was chunked into last time if {@code key} is unchanged and every chunk is in {@code index};
     *         else null.
     */
    synchronized Manifest.File get(final Key key, final ChunkIndex index)
    {
        final Map.Entry<Key, Manifest.File> entry = entries.get(key.file());
        if (entry == null || !entry.getKey().equals(key))
        {
            return null;
        }
        for (final Manifest.ChunkRef chunk : entry.getValue().chunks())
        {
            if (!index.contains(chunk.id()))
            {
                return null;
            }
        }
        seen.put(key.file(), entry);
        hits++;
        return entry.getValue();
    }

    /** Remembers what {@code key}'s file was chunked into. */
    synchronized void put(final Key key, final Manifest.File chunked)
    {
        seen.put(key.file(), Map.entry(key, chunked));
    }

    /** A backup finished: keep the entries of the files it saw, drop the rest. */
    synchronized void backupDone()
    {
        entries = seen;
        seen = new HashMap<>(entries);
    }

    /** @return files taken from the cache so far. */
    synchronized long hits()
    {
        return hits;
    }
}
