package dev.engram.engine;

import dev.engram.recovery.StateSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole state as it was at one version ({@link Engram#stateAt}), read like the live engine: raw bytes, typed
 * values (through the engine's codecs and migrations) and zero-copy iteration. Read-only; the live engine is not
 * disturbed. Thread-safe (reads are serialised); close it when done — a read after close throws
 * {@link IllegalStateException}.
 */
public final class EngramSnapshot implements AutoCloseable
{
    private final StateSnapshot snapshot;
    private final TypedValues typed;

    EngramSnapshot(final StateSnapshot snapshot, final TypedValues typed)
    {
        this.snapshot = snapshot;
        this.typed = typed;
    }

    /**
     * @return the version this snapshot shows.
     */
    public long version()
    {
        return snapshot.version();
    }

    /**
     * @return when that version was journaled, epoch nanoseconds.
     */
    public long timestampEpochNs()
    {
        return snapshot.timestampEpochNs();
    }

    /**
     * @return a copy of the key's value at this version, or null if it had none.
     */
    public byte[] get(final CharSequence key)
    {
        return snapshot.get(key);
    }

    /**
     * Read a typed value as it was at this version, upgraded through registered migrations if an older schema wrote
     * it.
     *
     * @return the value, or null if the key had none.
     * @throws UnknownCodecException  if no codec with the stored id is registered.
     * @throws SchemaVersionException if a newer schema version than the codec knows wrote it.
     * @throws TypeMismatchException  if the stored codec's type is not {@code type}.
     */
    public <T> T get(final CharSequence key, final Class<T> type)
    {
        synchronized (typed)
        {
            return snapshot.read(key, (buffer, offset, length) -> typed.decode(key, buffer, offset, length, type));
        }
    }

    /**
     * @return true if the key had a value at this version.
     */
    public boolean contains(final CharSequence key)
    {
        return snapshot.contains(key);
    }

    /**
     * Visit every key live at this version starting with {@code prefix} ("" for all), in key order, zero-copy: the
     * value buffer is valid only during the call.
     *
     * @return keys visited.
     */
    public long forEach(final CharSequence prefix, final StateSnapshot.EntryVisitor visitor)
    {
        return snapshot.forEach(prefix, visitor);
    }

    /**
     * Visit every key live at this version in {@code [fromInclusive, toExclusive)}, in key order, zero-copy: the value
     * buffer is valid only during the call.
     *
     * @param fromInclusive the first key ("" for the first key there is).
     * @param toExclusive   the key to stop before, or null for no bound.
     * @return keys visited.
     */
    public long forEach(final CharSequence fromInclusive, final CharSequence toExclusive,
        final StateSnapshot.EntryVisitor visitor)
    {
        return snapshot.forEach(fromInclusive, toExclusive, visitor);
    }

    /**
     * @return the keys live at this version starting with {@code prefix}, in key order.
     */
    public List<String> keys(final CharSequence prefix)
    {
        final List<String> keys = new ArrayList<>();
        snapshot.forEach(prefix, (key, value, offset, length) -> keys.add(key));
        return keys;
    }

    /**
     * @return the keys live at this version in {@code [fromInclusive, toExclusive)} (null: no upper bound), in key
     * order.
     */
    public List<String> keys(final CharSequence fromInclusive, final CharSequence toExclusive)
    {
        final List<String> keys = new ArrayList<>();
        snapshot.forEach(fromInclusive, toExclusive, (key, value, offset, length) -> keys.add(key));
        return keys;
    }

    /**
     * @return how this snapshot was built: the checkpoint it started from and the frames replayed.
     */
    @Override
    public String toString()
    {
        return snapshot.toString();
    }

    @Override
    public void close()
    {
        snapshot.close();
    }
}
