package dev.engram.recovery;

import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.checkpoint.KeyOrder;
import dev.engram.recovery.internal.ordered.OrderedKeyMerge;
import dev.engram.recovery.internal.ordered.SortedKeys;
import dev.engram.recovery.internal.overlay.OverlayReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

/**
 * The whole state as it was at one past version, read-only: a checkpoint chain at or before the version,
 * mapped for this snapshot alone, and the journal deltas after it up to the version indexed into a private
 * overlay (references into the journal; patched values materialised off-heap). The live store is not
 * touched: its applier and checkpointer keep running, and retention keeps everything this snapshot uses
 * until it is closed. Obtained from {@link StateStore#stateAt(long)} or {@link StateStore#stateAt(java.time.Instant)}.
 * <p>
 * Thread-safe (calls are serialised). A value handed to a {@link StateReader.ValueReader} or an
 * {@link EntryVisitor} is a zero-copy view valid only during the callback. Close it: it holds mappings,
 * off-heap memory and a retention pin; {@link StateStore#close()} closes the snapshots still open.
 */
public final class StateSnapshot implements AutoCloseable
{
    /** Receives one live entry; the views are valid only during the call. */
    @FunctionalInterface
    public interface EntryVisitor
    {
        void onEntry(String key, DirectBuffer value, int offset, int length);
    }

    private final long version;
    private final long timestampEpochNs;
    private final long baseVersion;
    private final long baseCheckpointId;
    private final long framesReplayed;
    private final ChainFiles chain;
    private final Overlay overlay;
    private final JournalMappedFiles journalFiles;
    private final OverlayReader overlayReader;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer chainValue = new UnsafeBuffer(0, 0);
    private final Consumer<StateSnapshot> onClose;
    private boolean closed;
    /** Set before close takes the monitor: an iteration in progress on another thread stops at its next entry. */
    private volatile boolean closeRequested;
    /** Reads in progress on the thread holding the monitor (a read or forEach inside a callback nests). */
    private int depth;
    /** close() ran inside a callback: the memory is freed when the outermost read returns. */
    private boolean releasePending;

    public StateSnapshot(final long version, final long timestampEpochNs, final ChainFiles chain, final Overlay overlay,
        final JournalMappedFiles journalFiles, final long framesReplayed, final Consumer<StateSnapshot> onClose)
    {
        this.version = version;
        this.timestampEpochNs = timestampEpochNs;
        this.chain = chain;
        this.baseVersion = chain == null ? 0 : chain.stateVersion();
        this.baseCheckpointId = chain == null ? 0 : chain.headId();
        this.overlay = overlay;
        this.journalFiles = journalFiles;
        this.framesReplayed = framesReplayed;
        this.overlayReader = new OverlayReader(overlay);
        this.onClose = onClose;
    }

    /**
     * @return the version whose state this is: deltas 1..version applied.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return the timestamp (epoch ns) of the delta with this version, or -1 for version 0 or when the journal
     * no longer holds that delta (the snapshot was read straight from a checkpoint).
     */
    public long timestampEpochNs()
    {
        return timestampEpochNs;
    }

    /**
     * @return the state version of the checkpoint this snapshot started from (0: none, replayed from version 1).
     */
    public long baseVersion()
    {
        return baseVersion;
    }

    /**
     * @return the id of the chain head it started from, 0 if none.
     */
    public long baseCheckpointId()
    {
        return baseCheckpointId;
    }

    /**
     * @return journal frames replayed on top of the checkpoint to reach the version.
     */
    public long framesReplayed()
    {
        return framesReplayed;
    }

    /**
     * @param key the key.
     * @return a copy of its value at this version, or null if it had none.
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
     * @return true if the key had a value at this version.
     */
    public boolean contains(final CharSequence key)
    {
        return read(key, (buffer, offset, length) -> Boolean.TRUE) != null;
    }

    /**
     * Read a value in place.
     *
     * @return what the reader returned, or null if the key had no value at this version.
     * @throws IllegalArgumentException if the key is empty or longer than 65,535 UTF-8 bytes.
     */
    public synchronized <R> R read(final CharSequence key, final StateReader.ValueReader<R> reader)
    {
        ensureOpen();
        final int keyLength = encode(key);
        // a nested read (from inside a callback) gets its own tools: the outer one's value view stays put
        final OverlayReader lookup = depth == 0 ? overlayReader : new OverlayReader(overlay);
        final UnsafeBuffer chainView = depth == 0 ? chainValue : new UnsafeBuffer(0, 0);
        depth++;
        try
        {
            switch (lookup.lookup(this.key, 0, keyLength))
            {
                case VALUE:
                    return reader.read(lookup.value(), 0, lookup.valueLength());
                case TOMBSTONE:
                    return null;
                case QUARANTINED:
                    throw QuarantinedKeyException.of(this.key, 0, keyLength, lookup.value(), lookup.valueLength());
                default:
                    if (chain == null)
                    {
                        return null;
                    }
                    switch (chain.lookup(this.key, 0, keyLength, chainView))
                    {
                        case FOUND:
                            return reader.read(chainView, 0, chainView.capacity());
                        case QUARANTINED:
                            throw QuarantinedKeyException.of(this.key, 0, keyLength, chainView, chainView.capacity());
                        default:
                            return null;
                    }
            }
        }
        finally
        {
            leave();
        }
    }

    private void leave()
    {
        depth--;
        if (depth == 0 && releasePending)
        {
            releasePending = false;
            release();
        }
    }

    /**
     * Visit every key live at this version whose UTF-8 bytes start with those of {@code prefix} ("" for all), in key
     * order (unsigned bytes of the UTF-8 key). Cost: a binary search into the chain's sorted keys and the overlay's
     * sorted runs, then a lookup per key visited; the chain's sorted keys are built on the first ordered scan of a
     * chain, or derived from those of a chain one file shorter that was scanned before (the store keeps the last
     * few: {@link dev.engram.recovery.internal.ordered.SortedKeysCache}).
     *
     * @return keys visited.
     */
    public synchronized long forEach(final CharSequence prefix, final EntryVisitor visitor)
    {
        if (prefix == null || visitor == null)
        {
            throw new IllegalArgumentException("forEach " + (prefix == null ? "prefix" : "visitor") +
                " must not be null (the empty prefix \"\" visits every key)");
        }
        final byte[] from = utf8(prefix);
        return scan(from, KeyOrder.prefixEnd(from), visitor);
    }

    /**
     * Visit every key live at this version in {@code [fromInclusive, toExclusive)}, in key order.
     *
     * @param fromInclusive the first key ("" for the first key there is).
     * @param toExclusive   the key to stop before, or null for no bound.
     * @return keys visited.
     */
    public synchronized long forEach(final CharSequence fromInclusive, final CharSequence toExclusive,
        final EntryVisitor visitor)
    {
        if (fromInclusive == null || visitor == null)
        {
            throw new IllegalArgumentException("forEach " + (fromInclusive == null ? "fromInclusive" : "visitor") +
                " must not be null (\"\" starts at the first key; a null toExclusive has no bound)");
        }
        final byte[] from = utf8(fromInclusive);
        final byte[] to = toExclusive == null ? null : utf8(toExclusive);
        if (to != null && java.util.Arrays.compareUnsigned(from, to) >= 0)
        {
            ensureOpen();
            return 0;
        }
        return scan(from, to, visitor);
    }

    private long scan(final byte[] from, final byte[] toExclusive, final EntryVisitor visitor)
    {
        ensureOpen();
        depth++;
        try
        {
            final OverlayReader lookup = new OverlayReader(overlay);
            final UnsafeBuffer chainView = new UnsafeBuffer(0, 0);
            final SortedKeys chainKeys = chain == null ? SortedKeys.EMPTY : chain.sortedKeys();
            final long[] visited = {0};
            OrderedKeyMerge.merge(chainKeys, overlay.keyRuns().runs(), from, toExclusive, (k, ko, kl) ->
            {
                switch (lookup.lookup(k, ko, kl))
                {
                    case VALUE:
                        ensureOpen();
                        visitor.onEntry(Utf8.decode(k, ko, kl), lookup.value(), 0, lookup.valueLength());
                        visited[0]++;
                        return;
                    case ABSENT:
                        if (chain != null && chain.lookup(k, ko, kl, chainView) == LookupStatus.FOUND)
                        {
                            ensureOpen();
                            visitor.onEntry(Utf8.decode(k, ko, kl), chainView, 0, chainView.capacity());
                            visited[0]++;
                        }
                        return;
                    default:
                        // deleted, or quarantined (unknown value: never visited)
                }
            });
            return visited[0];
        }
        finally
        {
            leave();
        }
    }

    private static byte[] utf8(final CharSequence text)
    {
        final byte[] bytes = new byte[Utf8.encodedLength(text)];
        Utf8.encode(text, new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    private int encode(final CharSequence text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("key must not be null");
        }
        final int length = Utf8.encodedLength(text);
        if (length < 1 || length > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1.." + CheckpointEntryDescriptor.MAX_KEY_LENGTH +
                " UTF-8 bytes: length=" + length);
        }
        if (length > key.capacity())
        {
            key.wrap(new byte[Math.max(length, key.capacity() * 2)]);
        }
        return Utf8.encode(text, key, 0);
    }

    private void ensureOpen()
    {
        if (closed || closeRequested)
        {
            throw new IllegalStateException("snapshot is closed: version=" + version);
        }
    }

    synchronized boolean isClosed()
    {
        return closed;
    }

    /**
     * Unmap the chain and the journal views, free the overlay, release the retention pin. Idempotent.
     */
    @Override
    public void close()
    {
        closeRequested = true;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (depth > 0)
            {
                releasePending = true;   // closed from inside one of its own callbacks: free when it returns
            }
            else
            {
                release();
            }
        }
        onClose.accept(this);
    }

    private void release()
    {
        overlay.close();
        if (chain != null)
        {
            chain.close();
        }
        journalFiles.close();
    }

    @Override
    public String toString()
    {
        return "StateSnapshot{version=" + version + " baseVersion=" + baseVersion + " baseCheckpointId=" +
            baseCheckpointId + " framesReplayed=" + framesReplayed + "}";
    }
}
