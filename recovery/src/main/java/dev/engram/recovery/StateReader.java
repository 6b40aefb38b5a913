package dev.engram.recovery;

import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.concurrent.ReaderHazards;
import dev.engram.recovery.internal.checkpoint.KeyOrder;
import dev.engram.recovery.internal.ordered.OrderedKeyMerge;
import dev.engram.recovery.internal.ordered.SortedKeys;
import dev.engram.recovery.internal.overlay.OverlayKeyRuns;
import dev.engram.recovery.internal.overlay.OverlayReader;
import dev.engram.recovery.internal.overlay.StateView;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One thread's reader of the current state: the overlay of keys changed since the newest checkpoint,
 * else the checkpoint chain. Reads see every version up to {@link StateStore#appliedVersion()} at the
 * time of the call (wait with {@link StateStore#awaitApplied} to read your own writes).
 * <p>
 * A value handed to a {@link ValueReader} is a zero-copy view valid only during the callback: the
 * reader marks the state generation it uses so it is not freed or unmapped underneath it (a hazard pointer,
 * see {@link ReaderHazards}); reads nest (a read or {@code forEach} inside a callback is fine). A call that
 * races {@link StateStore#close()} completes normally or throws {@link IllegalStateException} ("... closed ...").
 * Not thread-safe: one per thread (another thread's call while one is in progress is refused); close it when
 * the thread is done.
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

    /**
     * The tools of one nesting depth: a read inside a {@link #read} callback or a {@link #forEach} consumer (on
     * this reader's thread) gets its own, so it never re-points a view the outer call is still using.
     */
    private static final class Cursor
    {
        final UnsafeBuffer chainValue = new UnsafeBuffer(0, 0);
        StateView boundView;
        OverlayReader overlayReader;
        int locatedLength;

        OverlayReader bind(final StateView view)
        {
            if (view != boundView)
            {
                overlayReader = new OverlayReader(view.overlay());
                boundView = view;
            }
            return overlayReader;
        }

        void unbind()
        {
            boundView = null;
            overlayReader = null;
        }
    }

    private final StateStore store;
    private final ReaderHazards<StateView>.Slots hazards;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[256]);
    private Cursor[] cursors = {new Cursor()};
    private Thread owner;

    StateReader(final StateStore store, final ReaderHazards<StateView>.Slots hazards)
    {
        this.store = store;
        this.hazards = hazards;
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
        if (dst == null)
        {
            throw new IllegalArgumentException("get: dst buffer must not be null");
        }
        if (dstOffset < 0 || dstOffset > dst.capacity())
        {
            throw new IllegalArgumentException("get: dstOffset=" + dstOffset + " must be in [0, " + dst.capacity() +
                "] (the dst buffer's capacity)");
        }
        final int keyLength = encode(key);
        final Cursor cursor = enter();
        try
        {
            final DirectBuffer value = locateOrReport(cursor, this.key, 0, keyLength);
            if (value == null)
            {
                return -1;
            }
            if (cursor.locatedLength > dst.capacity() - dstOffset)
            {
                throw new IllegalArgumentException("get: the value of key=" + key + " is " + cursor.locatedLength +
                    " bytes but the dst buffer holds " + (dst.capacity() - dstOffset) + " from dstOffset=" + dstOffset +
                    " (capacity " + dst.capacity() + "): pass a larger buffer, or use get(key) or read(key, reader)");
            }
            dst.putBytes(dstOffset, value, 0, cursor.locatedLength);
            return cursor.locatedLength;
        }
        finally
        {
            exit();
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
        requireReader(reader);
        final int keyLength = encode(key);
        return read(this.key, 0, keyLength, reader);
    }

    /**
     * Read a value in place, the key given as UTF-8 bytes.
     */
    public <R> R read(final DirectBuffer keyBuffer, final int keyOffset, final int keyLength, final ValueReader<R> reader)
    {
        requireReader(reader);
        if (keyBuffer == null)
        {
            throw new IllegalArgumentException("read: keyBuffer must not be null");
        }
        if (keyLength < 1 || keyLength > dev.engram.journal.DeltaFrameDescriptor.MAX_KEY_LENGTH || keyOffset < 0 ||
            keyOffset > keyBuffer.capacity() - keyLength)
        {
            throw new IllegalArgumentException("read: key bytes [keyOffset=" + keyOffset + ", keyLength=" + keyLength +
                ") must be 1.." + dev.engram.journal.DeltaFrameDescriptor.MAX_KEY_LENGTH + " bytes inside the keyBuffer (capacity " +
                keyBuffer.capacity() + ")");
        }
        final Cursor cursor = enter();
        try
        {
            final DirectBuffer value = locateOrReport(cursor, keyBuffer, keyOffset, keyLength);
            return value == null ? null : reader.read(value, 0, cursor.locatedLength);
        }
        finally
        {
            exit();
        }
    }

    /**
     * Enter the current state generation at the next nesting depth (hazard pointer: the generation is not
     * freed until this reader leaves it) and return that depth's tools, bound to it.
     *
     * @throws IllegalStateException if the store is closed or failed, or another thread owns this reader.
     */
    private Cursor enter()
    {
        final Thread thread = Thread.currentThread();
        if (owner != thread)
        {
            claim(thread);
        }
        store.ensureOpen();
        final int depth = hazards.depth();
        final StateView view = hazards.enter();
        if (depth == cursors.length)
        {
            cursors = java.util.Arrays.copyOf(cursors, depth * 2);
        }
        Cursor cursor = cursors[depth];
        if (cursor == null)
        {
            cursor = new Cursor();
            cursors[depth] = cursor;
        }
        cursor.bind(view);
        return cursor;
    }

    private void claim(final Thread thread)
    {
        if (owner != null && hazards.depth() > 0)
        {
            throw new IllegalStateException("StateReader is used by " + owner.getName() + " (a reader is for one thread): " +
                "caller=" + thread.getName());
        }
        owner = thread;
    }

    /**
     * Leave the innermost generation; if the store waits to free generations (a checkpoint replaced them, or it
     * is closing), free those no reader is inside any more.
     */
    private void exit()
    {
        hazards.exit();
        if (store.reclaimPending())
        {
            store.reclaim();
        }
    }

    /**
     * @return the key's current value in place (its length in the cursor), or null if absent.
     */
    private static DirectBuffer locate(final Cursor cursor, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength)
    {
        final OverlayReader overlayReader = cursor.overlayReader;
        switch (overlayReader.lookup(keyBuffer, keyOffset, keyLength))
        {
            case VALUE:
                cursor.locatedLength = overlayReader.valueLength();
                return overlayReader.value();
            case TOMBSTONE:
                return null;
            case QUARANTINED:
                throw QuarantinedKeyException.of(keyBuffer, keyOffset, keyLength, overlayReader.value(), overlayReader.valueLength());
            default:
                switch (cursor.boundView.base().lookup(keyBuffer, keyOffset, keyLength, cursor.chainValue))
                {
                    case FOUND:
                        cursor.locatedLength = cursor.chainValue.capacity();
                        return cursor.chainValue;
                    case QUARANTINED:
                        throw QuarantinedKeyException.of(keyBuffer, keyOffset, keyLength, cursor.chainValue,
                            cursor.chainValue.capacity());
                    default:
                        return null;
                }
        }
    }

    private DirectBuffer locateOrReport(final Cursor cursor, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength)
    {
        try
        {
            return locate(cursor, keyBuffer, keyOffset, keyLength);
        }
        catch (final CheckpointCorruptionException ex)
        {
            store.onDamagedRead(ex);   // refused, never served; the checkpointer rebuilds the chain from what is intact
            throw ex;
        }
    }

    /**
     * Visit every live key starting with {@code prefix} (empty: all keys) with its current value, in key order
     * (unsigned bytes of the UTF-8 key: {@link dev.engram.recovery.internal.checkpoint.KeyOrder}).
     * <p>
     * What it sees: every key that was live at the version applied when the call started and is not deleted
     * during it is visited exactly once, across checkpoint swaps (the iteration stays on the generation it
     * started in). A key changed during the iteration is visited with its value at some version at or after the
     * start; a key created during it may or may not be visited; a key deleted during it may or may not be
     * visited (with a value it had). Cost: a binary search into the chain's sorted keys and into each sorted run of
     * the overlay's keys, then a merge step and a value lookup per key visited — proportional to what it returns plus
     * a log term. The chain's sorted keys are built on the first ordered scan of a chain (every file read once and
     * sorted) and derived from the previous chain's at each checkpoint after that. Reads and iterations inside the
     * consumer are allowed (they see the current state).
     *
     * @return the number of entries visited.
     * @throws IllegalStateException if the store is closed, before or during the iteration (then the consumer
     *                               is not called again).
     */
    public long forEach(final CharSequence prefix, final EntryConsumer consumer)
    {
        if (prefix == null || consumer == null)
        {
            throw new IllegalArgumentException("forEach " + (prefix == null ? "prefix" : "consumer") +
                " must not be null (the empty prefix \"\" visits every key)");
        }
        final byte[] from = utf8(prefix);
        return scan(from, KeyOrder.prefixEnd(from), consumer);
    }

    /**
     * Visit every live key in {@code [fromInclusive, toExclusive)} with its current value, in key order (unsigned
     * bytes of the UTF-8 key). Same consistency and cost as {@link #forEach(CharSequence, EntryConsumer)}.
     *
     * @param fromInclusive the first key ("" for the first key there is).
     * @param toExclusive   the key to stop before, or null for no bound; a bound at or before {@code fromInclusive}
     *                      visits nothing.
     * @return the number of entries visited.
     */
    public long forEach(final CharSequence fromInclusive, final CharSequence toExclusive, final EntryConsumer consumer)
    {
        if (fromInclusive == null || consumer == null)
        {
            throw new IllegalArgumentException("forEach " + (fromInclusive == null ? "fromInclusive" : "consumer") +
                " must not be null (\"\" starts at the first key; a null toExclusive has no bound)");
        }
        final byte[] from = utf8(fromInclusive);
        final byte[] to = toExclusive == null ? null : utf8(toExclusive);
        if (to != null && java.util.Arrays.compareUnsigned(from, to) >= 0)
        {
            store.ensureOpen();
            return 0;
        }
        return scan(from, to, consumer);
    }

    private long scan(final byte[] from, final byte[] toExclusive, final EntryConsumer consumer)
    {
        final Cursor cursor = enter();
        try
        {
            final StateView view = cursor.boundView;
            // the generation's overlay runs cover every key it held at the version applied when the call started
            // (an entry is inserted before its version is published as applied), the chain's keys the rest
            final SortedKeys chainKeys = view.base() instanceof ChainFiles chain ? chain.sortedKeys() : SortedKeys.EMPTY;
            final OverlayKeyRuns.Runs runs = view.overlay().keyRuns().runs();
            final long[] count = {0};
            OrderedKeyMerge.merge(chainKeys, runs, from, toExclusive, (k, ko, kl) ->
            {
                final DirectBuffer value = locateLive(cursor, k, ko, kl);
                if (value != null)
                {
                    store.ensureOpen();
                    consumer.accept(k, ko, kl, value, 0, cursor.locatedLength);
                    count[0]++;
                }
            });
            return count[0];
        }
        catch (final CheckpointCorruptionException ex)
        {
            store.onDamagedRead(ex);
            throw ex;
        }
        finally
        {
            exit();
        }
    }

    /**
     * @return the key's current value (its length in the cursor), or null if absent, deleted or quarantined.
     */
    private static DirectBuffer locateLive(final Cursor cursor, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength)
    {
        final OverlayReader overlayReader = cursor.overlayReader;
        switch (overlayReader.lookup(keyBuffer, keyOffset, keyLength))
        {
            case VALUE:
                cursor.locatedLength = overlayReader.valueLength();
                return overlayReader.value();
            case ABSENT:
                if (cursor.boundView.base().lookup(keyBuffer, keyOffset, keyLength, cursor.chainValue) == LookupStatus.FOUND)
                {
                    cursor.locatedLength = cursor.chainValue.capacity();
                    return cursor.chainValue;
                }
                return null;
            default:
                return null;   // deleted, or quarantined (unknown value: never visited)
        }
    }

    private static byte[] utf8(final CharSequence text)
    {
        final byte[] bytes = new byte[Utf8.encodedLength(text)];
        Utf8.encode(text, new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    private static void requireReader(final ValueReader<?> reader)
    {
        if (reader == null)
        {
            throw new IllegalArgumentException("read: the value reader must not be null");
        }
    }

    private int encode(final CharSequence text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("key must not be null");
        }
        final int length = Utf8.encodedLength(text);
        if (length > key.capacity())
        {
            key.wrap(new byte[Math.max(length, key.capacity() * 2)]);
        }
        return Utf8.encode(text, key, 0);
    }

    /**
     * Unregister this reader (its thread is done with it). Must not be called from inside one of its own reads.
     */
    @Override
    public void close()
    {
        if (hazards.depth() > 0)
        {
            throw new IllegalStateException("StateReader closed inside one of its own reads (depth=" + hazards.depth() + ")");
        }
        hazards.unregister();
        for (final Cursor cursor : cursors)
        {
            if (cursor != null)
            {
                cursor.unbind();
            }
        }
    }
}
