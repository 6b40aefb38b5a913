package dev.engram.recovery;

import dev.engram.journal.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One thread's reader of the current state: the overlay of keys changed since the newest checkpoint,
 * else the checkpoint chain. Reads see every version up to {@link StateStore#appliedVersion()} at the
 * time of the call (wait with {@link StateStore#awaitApplied} to read your own writes).
 * <p>
 * A value handed to a {@link ValueReader} is a zero-copy view valid only during the callback: the
 * reader marks the state generation it uses so it is not unmapped underneath it (a hazard pointer).
 * Not thread-safe: one per thread; close it when the thread is done.
 */
public final class StateReader implements AutoCloseable
{
    /** Receives a value view. */
    @FunctionalInterface
    public interface ValueReader<R>
    {
        R read(DirectBuffer value, int offset, int length);
    }

    /** Receives live entries during {@link #forEach}: key and value are views valid only during the call. */
    @FunctionalInterface
    public interface EntryConsumer
    {
        void accept(DirectBuffer key, int keyOffset, int keyLength, DirectBuffer value, int valueOffset, int valueLength);
    }

    private final StateStore store;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer chainValue = new UnsafeBuffer(0, 0);
    private volatile StateView inUse;
    private StateView boundView;
    private OverlayReader overlayReader;

    private int locatedLength;

    StateReader(final StateStore store)
    {
        this.store = store;
    }

    StateView inUse()
    {
        return inUse;
    }

    /**
     * @param key the key.
     * @return a copy of the value, or null if absent.
     */
    public byte[] get(final CharSequence key)
    {
        return read(key, (buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            return copy;
        });
    }

    /**
     * Copy a value into a buffer.
     *
     * @return its length, or -1 if absent.
     */
    public int get(final CharSequence key, final MutableDirectBuffer dst, final int dstOffset)
    {
        final int keyLength = encode(key);
        final StateView view = enter();
        try
        {
            final DirectBuffer value = locate(view, this.key, 0, keyLength);
            if (value == null)
            {
                return -1;
            }
            dst.putBytes(dstOffset, value, 0, locatedLength);
            return locatedLength;
        }
        finally
        {
            inUse = null;
        }
    }

    /**
     * @return true if the key has a value.
     */
    public boolean contains(final CharSequence key)
    {
        return read(key, (buffer, offset, length) -> Boolean.TRUE) != null;
    }

    /**
     * Read a value in place.
     *
     * @return what the reader returned, or null if the key is absent.
     */
    public <R> R read(final CharSequence key, final ValueReader<R> reader)
    {
        final int keyLength = encode(key);
        return read(this.key, 0, keyLength, reader);
    }

    /**
     * Read a value in place, the key given as UTF-8 bytes.
     */
    public <R> R read(final DirectBuffer keyBuffer, final int keyOffset, final int keyLength, final ValueReader<R> reader)
    {
        final StateView view = enter();
        try
        {
            final DirectBuffer value = locate(view, keyBuffer, keyOffset, keyLength);
            return value == null ? null : reader.read(value, 0, locatedLength);
        }
        finally
        {
            inUse = null;
        }
    }

    /**
     * Announce the view this reader is about to use (hazard pointer: a generation in use is not released) and
     * return it; the caller clears {@link #inUse} when done.
     */
    private StateView enter()
    {
        store.ensureOpen();
        StateView view;
        do
        {
            view = store.view();
            inUse = view;
        }
        while (store.view() != view);
        if (view != boundView)
        {
            overlayReader = new OverlayReader(view.overlay());
            boundView = view;
        }
        return view;
    }

    /**
     * @return the key's current value in place (its length in {@link #locatedLength}), or null if absent.
     */
    private DirectBuffer locate(final StateView view, final DirectBuffer keyBuffer, final int keyOffset, final int keyLength)
    {
        switch (overlayReader.lookup(keyBuffer, keyOffset, keyLength))
        {
            case VALUE:
                locatedLength = overlayReader.valueLength();
                return overlayReader.value();
            case TOMBSTONE:
                return null;
            default:
                if (view.base().get(keyBuffer, keyOffset, keyLength, chainValue))
                {
                    locatedLength = chainValue.capacity();
                    return chainValue;
                }
                return null;
        }
    }

    /**
     * Visit every live key starting with {@code prefix} (empty: all keys), each once, with its current value.
     * Weakly consistent: sees every version applied before the call; changes applied during it may or may not
     * be seen. Cost is proportional to the whole state (checkpoint files are scanned, not a sorted index).
     *
     * @return the number of entries visited.
     */
    public long forEach(final CharSequence prefix, final EntryConsumer consumer)
    {
        final int prefixLength = encode(prefix);
        final byte[] prefixBytes = new byte[prefixLength];
        key.getBytes(0, prefixBytes);
        final UnsafeBuffer prefixBuffer = new UnsafeBuffer(prefixBytes);
        store.ensureOpen();
        StateView view;
        do
        {
            view = store.view();
            inUse = view;
        }
        while (store.view() != view);
        try
        {
            final OverlayReader overlay = new OverlayReader(view.overlay());
            final long[] count = {0};
            overlay.forEach(prefixBuffer, 0, prefixLength, (k, ko, kl, tombstone, value, vl) ->
            {
                if (!tombstone)
                {
                    consumer.accept(k, ko, kl, value, 0, vl);
                    count[0]++;
                }
            });
            if (view.base() instanceof ChainFiles chain)
            {
                final OverlayReader decided = new OverlayReader(view.overlay());
                final java.util.Set<String> seen = chain.length() > 1 ? new java.util.HashSet<>() : null;
                final java.util.List<MappedCheckpoint> files = chain.files();
                for (int i = files.size() - 1; i >= 0; i--)
                {
                    files.get(i).forEachEntry(entry ->
                    {
                        final DirectBuffer k = entry.key();
                        final int kl = entry.keyLength();
                        if (kl < prefixLength || !startsWith(k, kl, prefixBuffer, prefixLength))
                        {
                            return;
                        }
                        if (seen != null && !seen.add(entry.keyString()))
                        {
                            return;
                        }
                        if (entry.isTombstone() || decided.lookup(k, 0, kl) != OverlayReader.Result.ABSENT)
                        {
                            return;
                        }
                        consumer.accept(k, 0, kl, entry.value(), 0, entry.valueLength());
                        count[0]++;
                    });
                }
            }
            return count[0];
        }
        finally
        {
            inUse = null;
        }
    }

    private static boolean startsWith(final DirectBuffer key, final int keyLength, final DirectBuffer prefix, final int prefixLength)
    {
        for (int i = 0; i < prefixLength; i++)
        {
            if (key.getByte(i) != prefix.getByte(i))
            {
                return false;
            }
        }
        return keyLength >= prefixLength;
    }

    private int encode(final CharSequence text)
    {
        final int length = Utf8.encodedLength(text);
        if (length > key.capacity())
        {
            key.wrap(new byte[Math.max(length, key.capacity() * 2)]);
        }
        return Utf8.encode(text, key, 0);
    }

    @Override
    public void close()
    {
        store.unregister(this);
        boundView = null;
        overlayReader = null;
    }
}
