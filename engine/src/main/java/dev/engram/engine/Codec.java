package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Turns values of one type into payload bytes and back. The {@link ValueEnvelope} in front of every
 * stored payload names the codec ({@link #id()}) and the schema version that wrote it, so a codec can
 * evolve: it always writes {@link #currentSchemaVersion()} and reads every version from
 * {@link #oldestDecodableSchemaVersion()} up to that; older payloads are first brought forward by
 * {@link Migration}s.
 * <p>
 * Implementations must be safe to call from many threads at once (keep no per-call state in fields)
 * and must never use Java serialization.
 *
 * @param <T> the type of the values.
 */
public interface Codec<T>
{
    /**
     * @return the id stored in the envelope, in [1, 65535]; ids below
     * {@link CodecRegistry#FIRST_APPLICATION_CODEC_ID} are reserved for Engram's built-in codecs.
     */
    int id();

    /**
     * @return a short name for messages and tools.
     */
    String name();

    /**
     * @return the exact class of the values this codec encodes (its key in the {@link CodecRegistry}).
     */
    Class<T> type();

    /**
     * @return the schema version every {@link #encode} writes, in [1, 65535].
     */
    int currentSchemaVersion();

    /**
     * @return the oldest schema version {@link #decode} reads directly, in [1, current]; older payloads
     * need a {@link Migration} chain. The default reads only the current version.
     */
    default int oldestDecodableSchemaVersion()
    {
        return currentSchemaVersion();
    }

    /**
     * Write the payload of a value at the current schema version.
     *
     * @param value  not null.
     * @param buffer reusable; grown if expandable, else it must have room.
     * @param offset where the payload starts.
     * @return the payload's length in bytes.
     */
    int encode(T value, MutableDirectBuffer buffer, int offset);

    /**
     * Read a payload.
     *
     * @param buffer        holding the payload.
     * @param offset        of its first byte.
     * @param length        of the payload.
     * @param schemaVersion that wrote it, in [{@link #oldestDecodableSchemaVersion()}, {@link #currentSchemaVersion()}].
     * @return a new value.
     * @throws IllegalArgumentException if the payload is not a valid one of that schema version.
     */
    T decode(DirectBuffer buffer, int offset, int length, int schemaVersion);
}
