package dev.engram.recovery.internal.overlay;

import dev.engram.recovery.StateReader;
import dev.engram.recovery.internal.checkpoint.KeyHash;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.*;

/**
 * One thread's reader of an {@link Overlay}: consistent snapshots of entries under their seqlock. A value
 * that lies in the journal is viewed in place (journal bytes never change); a materialised (patched) value
 * is copied into this reader's buffer, since the writer may patch it in place later.
 */
public final class OverlayReader
{
    public enum Result
    {
        ABSENT, TOMBSTONE, VALUE,
        /** The key is quarantined: {@link #value()} holds the reason (UTF-8), not a value. */
        QUARANTINED
    }

    private final Overlay overlay;
    private final UnsafeBuffer scratch = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer arena = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer copy = new ExpandableDirectByteBuffer(256);
    private long version;
    private long createdVersion;
    private int valueLength;

    public OverlayReader(final Overlay overlay)
    {
        this.overlay = overlay;
    }

    /**
     * @return what the overlay says about the key; for VALUE, see {@link #value()}.
     */
    public Result lookup(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        final long address = Overlay.find(overlay.table(), key, keyOffset, keyLength, hash);
        if (address == 0)
        {
            return Result.ABSENT;
        }
        scratch.wrap(address, KEY_OFFSET);
        return read(scratch);
    }

    /**
     * Read the entry {@code entry} points at under its seqlock into {@link #value()}: read the fields, validate
     * the sequence, and only then trust them (dereference the arena address), then validate again after the copy
     * (the writer may patch an arena value in place).
     */
    private Result read(final UnsafeBuffer entry)
    {
        while (true)
        {
            final long before = entry.getLongVolatile(SEQUENCE_OFFSET);
            if ((before & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final int kind = entry.getInt(KIND_OFFSET);
            final long a = entry.getLong(A_OFFSET);
            final long b = entry.getLong(B_OFFSET);
            final int length = entry.getInt(VALUE_LENGTH_OFFSET);
            final long entryVersion = entry.getLong(VERSION_OFFSET);
            VarHandle.loadLoadFence();
            if (entry.getLongVolatile(SEQUENCE_OFFSET) != before)
            {
                continue;   // changed while read: nothing above is trusted
            }
            // validated: kind, a, b and length belong to one change, so a is an address only for KIND_ARENA
            if (kind == KIND_ARENA || kind == KIND_QUARANTINED)
            {
                if (length < 0 || length > b)
                {
                    throw new IllegalStateException("overlay entry damaged: arena value length=" + length +
                        " capacity=" + b + " version=" + entryVersion);
                }
                copy.checkLimit(length);
                arena.wrap(a, Math.max(length, 1));
                copy.putBytes(0, arena, 0, length);
                VarHandle.loadLoadFence();
                if (entry.getLongVolatile(SEQUENCE_OFFSET) != before)
                {
                    continue;   // patched in place during the copy
                }
            }
            version = entryVersion;
            createdVersion = entry.getLong(CREATED_VERSION_OFFSET);
            valueLength = length;
            switch (kind)
            {
                case KIND_TOMBSTONE:
                    view.wrap(0, 0);
                    return Result.TOMBSTONE;
                case KIND_JOURNAL:
                    overlay.journalValues().wrap(view, (int)a, b, length);
                    return Result.VALUE;
                case KIND_ARENA:
                    view.wrap(copy, 0, length);
                    return Result.VALUE;
                case KIND_QUARANTINED:
                    view.wrap(copy, 0, length);
                    return Result.QUARANTINED;
                default:
                    throw new IllegalStateException("overlay entry damaged: kind=" + kind + " version=" + entryVersion);
            }
        }
    }

    /** Receives the overlay's entries during {@link #forEach}. */
    public interface EntryVisitor
    {
        /**
         * @param key       the entry (its key at {@code KEY_OFFSET}).
         * @param keyLength key length.
         * @param tombstone whether the key has no value to visit (deleted, or quarantined).
         * @param value     the value (valid during the call), empty for a tombstone.
         */
        void onEntry(DirectBuffer key, int keyOffset, int keyLength, boolean tombstone, DirectBuffer value, int valueLength);
    }

    /**
     * Visit the entries whose key starts with {@code prefix} and that were inserted at or before
     * {@code createdAtOrBefore}, each read consistently under its seqlock (its value is whatever it is when
     * visited). An entry inserted later is skipped: the caller decides about such keys from the layers below
     * (see {@link StateReader#forEach}).
     */
    public void forEach(final DirectBuffer prefix, final int prefixOffset, final int prefixLength, final long createdAtOrBefore,
        final EntryVisitor visitor)
    {
        final UnsafeBuffer table = overlay.table();
        final UnsafeBuffer entryKey = new UnsafeBuffer(0, 0);
        for (int slot = 0, n = table.capacity() / SLOT_LENGTH; slot < n; slot++)
        {
            if (table.getLongVolatile(slot * SLOT_LENGTH + SLOT_HASH_OFFSET) == 0)
            {
                continue;
            }
            final long address = table.getLong(slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET);
            scratch.wrap(address, KEY_OFFSET);
            final int keyLength = scratch.getInt(KEY_LENGTH_OFFSET);
            if (keyLength < prefixLength || scratch.getLong(CREATED_VERSION_OFFSET) > createdAtOrBefore)
            {
                continue;
            }
            entryKey.wrap(address, KEY_OFFSET + keyLength);
            boolean matches = true;
            for (int i = 0; i < prefixLength && matches; i++)
            {
                matches = entryKey.getByte(KEY_OFFSET + i) == prefix.getByte(prefixOffset + i);
            }
            if (!matches)
            {
                continue;
            }
            final Result result = read(scratch);
            visitor.onEntry(entryKey, KEY_OFFSET, keyLength, result != Result.VALUE, view, valueLength);
        }
    }

    /**
     * Visit every entry whose key starts with {@code prefix}.
     */
    public void forEach(final DirectBuffer prefix, final int prefixOffset, final int prefixLength, final EntryVisitor visitor)
    {
        forEach(prefix, prefixOffset, prefixLength, Long.MAX_VALUE, visitor);
    }

    /**
     * @return the value found by the last lookup (valid until the next one).
     */
    public DirectBuffer value()
    {
        return view;
    }

    public int valueLength()
    {
        return valueLength;
    }

    long version()
    {
        return version;
    }

    /**
     * @return the version that inserted the entry found by the last lookup.
     */
    public long createdVersion()
    {
        return createdVersion;
    }

    /**
     * Copy the value found by the last lookup.
     */
    int copyValue(final MutableDirectBuffer dst, final int offset)
    {
        dst.putBytes(offset, view, 0, valueLength);
        return valueLength;
    }
}
