package dev.engram.recovery;

import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.OverlayEntryDescriptor;
import dev.engram.recovery.internal.overlay.OverlayReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KIND_ARENA;
import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KIND_JOURNAL;

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
     * Visit every key live at this version whose UTF-8 bytes start with those of {@code prefix} ("" for all), in
     * no particular order: first keys changed after the checkpoint, then the chain's, newest file first.
     *
     * @return keys visited.
     */
    public synchronized long forEach(final CharSequence prefix, final EntryVisitor visitor)
    {
        ensureOpen();
        depth++;
        try
        {
            return forEachEntry(prefix, visitor);
        }
        finally
        {
            leave();
        }
    }

    private long forEachEntry(final CharSequence prefix, final EntryVisitor visitor)
    {
        if (prefix == null || visitor == null)
        {
            throw new IllegalArgumentException("forEach " + (prefix == null ? "prefix" : "visitor") +
                " must not be null (the empty prefix \"\" visits every key)");
        }
        final OverlayReader overlayReader = new OverlayReader(overlay);
        final byte[] wanted = new byte[Utf8.encodedLength(prefix)];
        Utf8.encode(prefix, new UnsafeBuffer(wanted), 0);
        final long[] visited = {0};
        overlay.forEach((keyBuffer, keyOffset, keyLength, kind, entryVersion, value, valueLength) ->
        {
            if ((kind == KIND_JOURNAL || kind == KIND_ARENA) && startsWith(keyBuffer, keyOffset, keyLength, wanted))
            {
                ensureOpen();
                visitor.onEntry(Utf8.decode(keyBuffer, keyOffset, keyLength), value, 0, valueLength);
                visited[0]++;
            }
        });
        if (chain == null)
        {
            return visited[0];
        }
        final boolean single = chain.length() == 1;
        // a key seen in a newer file of the chain hides its older entries: remember keys seen (off-heap)
        try (Overlay seen = single ? null : new Overlay(1024, journalFiles))
        {
            for (int i = chain.length() - 1; i >= 0; i--)
            {
                chain.files().get(i).forEachEntry(entry ->
                {
                    final DirectBuffer entryKey = entry.key();
                    final int keyLength = entry.keyLength();
                    if (!startsWith(entryKey, 0, keyLength, wanted))
                    {
                        return;
                    }
                    if (!single)
                    {
                        if (seen.find(entryKey, 0, keyLength, KeyHash.hash(entryKey, 0, keyLength)) != 0)
                        {
                            return;
                        }
                        seen.putTombstone(entryKey, 0, keyLength, 0);
                    }
                    if (!entry.isLive() || overlayReader.lookup(entryKey, 0, keyLength) != OverlayReader.Result.ABSENT)
                    {
                        return;
                    }
                    ensureOpen();
                    visitor.onEntry(entry.keyString(), entry.value(), 0, entry.valueLength());
                    visited[0]++;
                });
            }
        }
        return visited[0];
    }

    private static boolean startsWith(final DirectBuffer key, final int keyOffset, final int keyLength, final byte[] prefix)
    {
        if (keyLength < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (key.getByte(keyOffset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
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
