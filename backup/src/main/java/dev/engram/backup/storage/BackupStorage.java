package dev.engram.backup.storage;

import java.io.IOException;
import java.util.List;

/**
 * Where a backup repository keeps its objects: a flat namespace of immutable objects named by keys, shaped like
 * object storage (S3) so that a local directory and a bucket implement it alike.
 * <ul>
 *   <li>Keys are {@code '/'}-separated segments of {@code [A-Za-z0-9._-]} ({@link StorageKeys#check}); a segment is
 *       never empty, {@code "."}, {@code ".."}, nor ends in {@code ".tmp"}. A prefix is only a string prefix.</li>
 *   <li>Objects are immutable: {@link #putIfAbsent} publishes a whole object atomically and never replaces one; a
 *       reader sees either no object or all of it. There is no rename and no append.</li>
 *   <li>{@link #delete} removes an object; a deleted key may be written again.</li>
 * </ul>
 * Implementations are safe for use by several threads at once. Two writers racing for one key: exactly one
 * {@code putIfAbsent} returns {@code true}, and the object holds exactly its bytes.
 */
public interface BackupStorage extends AutoCloseable
{
    /**
     * Publishes an object unless one exists under the key.
     *
     * @return {@code true} if this call wrote it; {@code false} if an object was already there (left unchanged)
     */
    boolean putIfAbsent(String key, byte[] bytes) throws IOException;

    /**
     * The whole object.
     *
     * @throws NoSuchObjectException if there is none
     */
    byte[] get(String key) throws IOException;

    /**
     * {@code length} bytes of the object from {@code offset}.
     *
     * @throws NoSuchObjectException if there is none
     * @throws java.io.EOFException  if the range reaches past its end
     */
    byte[] get(String key, long offset, int length) throws IOException;

    /**
     * The object's length in bytes.
     *
     * @throws NoSuchObjectException if there is none
     */
    long size(String key) throws IOException;

    /** Whether an object exists under the key. */
    boolean exists(String key) throws IOException;

    /** The keys starting with {@code prefix} (may be empty: all keys), in ascending order. */
    List<String> list(String prefix) throws IOException;

    /**
     * Removes an object.
     *
     * @return whether there was one
     */
    boolean delete(String key) throws IOException;

    /** A description for messages: the directory, the bucket and prefix. */
    String describe();

    @Override
    default void close() throws IOException
    {
    }
}
