package dev.engram.engine;

import dev.engram.journal.Delta;

/**
 * Fluent, atomic multi-key update: every op added is committed as one version by {@link #commit()}.
 * <pre>{@code
 * long v = engram.delta()
 *     .put("population/7", header)                 // typed: encoded with its codec
 *     .patch("population/7/weights", 4096, bytes)  // bytes at an offset inside a large value
 *     .delete("user/42")
 *     .commit();
 * }</pre>
 * One per thread, reused ({@link Engram#delta()} hands the calling thread its own, cleared). Bad input
 * (null or oversized key, negative patch offset, a type with no codec) throws at once and leaves the ops
 * added before as they were.
 */
public final class DeltaBuilder
{
    private final Engram engram;
    private final Delta delta;
    private final TypedValues typed;
    /** The last version this builder's thread committed through the engine (read-your-writes); only that thread uses it. */
    long lastCommitted;

    DeltaBuilder(final Engram engram, final Delta delta, final TypedValues typed)
    {
        this.engram = engram;
        this.delta = delta;
        this.typed = typed;
    }

    DeltaBuilder clear()
    {
        delta.clear();
        return this;
    }

    /** PUT raw bytes. @return this. */
    public DeltaBuilder put(final CharSequence key, final byte[] value)
    {
        delta.put(key, value);
        return this;
    }

    /** PUT a typed value, encoded by its registered codec with a value envelope. @return this. */
    public DeltaBuilder put(final CharSequence key, final Object value)
    {
        if (value instanceof byte[] bytes)
        {
            return put(key, bytes);
        }
        if (value == null)
        {
            throw new IllegalArgumentException("value must not be null (use delete to remove a key): key=" + key);
        }
        final org.agrona.DirectBuffer encoded = typed.encode(value);
        delta.put(key, encoded, 0, encoded.capacity());
        return this;
    }

    /** DELETE. @return this. */
    public DeltaBuilder delete(final CharSequence key)
    {
        delta.delete(key);
        return this;
    }

    /** PATCH raw bytes at an offset inside a value. @return this. */
    public DeltaBuilder patch(final CharSequence key, final long offset, final byte[] data)
    {
        delta.patch(key, offset, data);
        return this;
    }

    /** @return ops added so far. */
    public int opCount()
    {
        return delta.opCount();
    }

    /**
     * Commit every op as one version (lock-free; returns once the delta is in the ring).
     *
     * @return the version.
     */
    public long commit()
    {
        final long version = engram.appendTimed(delta);
        lastCommitted = version;
        return version;
    }
}
