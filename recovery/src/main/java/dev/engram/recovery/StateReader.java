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

    private final StateStore store;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer chainValue = new UnsafeBuffer(0, 0);
    private volatile StateView inUse;
    private StateView boundView;
    private OverlayReader overlayReader;

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
        final Integer length = read(key, (buffer, offset, len) ->
        {
            dst.putBytes(dstOffset, buffer, offset, len);
            return len;
        });
        return length == null ? -1 : length;
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
            if (view != boundView)
            {
                overlayReader = new OverlayReader(view.overlay());
                boundView = view;
            }
            switch (overlayReader.lookup(keyBuffer, keyOffset, keyLength))
            {
                case VALUE:
                    return reader.read(overlayReader.value(), 0, overlayReader.valueLength());
                case TOMBSTONE:
                    return null;
                default:
                    if (view.base().get(keyBuffer, keyOffset, keyLength, chainValue))
                    {
                        return reader.read(chainValue, 0, chainValue.capacity());
                    }
                    return null;
            }
        }
        finally
        {
            inUse = null;
        }
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
