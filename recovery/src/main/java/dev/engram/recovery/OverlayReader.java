package dev.engram.recovery;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static dev.engram.recovery.OverlayEntryDescriptor.*;

/**
 * One thread's reader of an {@link Overlay}: consistent snapshots of entries under their seqlock. A value
 * that lies in the journal is viewed in place (journal bytes never change); a materialised (patched) value
 * is copied into this reader's buffer, since the writer may patch it in place later.
 */
final class OverlayReader
{
    enum Result
    {
        ABSENT, TOMBSTONE, VALUE
    }

    private final Overlay overlay;
    private final UnsafeBuffer scratch = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer arena = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer copy = new ExpandableDirectByteBuffer(256);
    private long version;
    private int valueLength;

    OverlayReader(final Overlay overlay)
    {
        this.overlay = overlay;
    }

    /**
     * @return what the overlay says about the key; for VALUE, see {@link #value()}.
     */
    Result lookup(final DirectBuffer key, final int keyOffset, final int keyLength)
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
     * Read the entry {@code entry} points at under its seqlock into {@link #value()}.
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
            if (kind == KIND_ARENA)
            {
                copy.checkLimit(length);
                arena.wrap(a, Math.max(length, 1));
                copy.putBytes(0, arena, 0, length);
            }
            VarHandle.loadLoadFence();
            if (entry.getLongVolatile(SEQUENCE_OFFSET) != before)
            {
                continue;
            }
            version = entryVersion;
            valueLength = length;
            switch (kind)
            {
                case KIND_TOMBSTONE:
                    view.wrap(0, 0);
                    return Result.TOMBSTONE;
                case KIND_JOURNAL:
                    overlay.journalValues().wrap(view, (int)a, b, length);
                    return Result.VALUE;
                default:
                    view.wrap(copy, 0, length);
                    return Result.VALUE;
            }
        }
    }

    /** Receives the overlay's entries during {@link #forEach}. */
    interface EntryVisitor
    {
        /**
         * @param key       the entry (its key at {@code KEY_OFFSET}).
         * @param keyLength key length.
         * @param tombstone whether the key is deleted.
         * @param value     the value (valid during the call), empty for a tombstone.
         */
        void onEntry(DirectBuffer key, int keyOffset, int keyLength, boolean tombstone, DirectBuffer value, int valueLength);
    }

    /**
     * Visit the entries whose key starts with {@code prefix}, each read consistently under its seqlock.
     * Weakly consistent: every key applied before the call is visited; changes during it may or may not be.
     */
    void forEach(final DirectBuffer prefix, final int prefixOffset, final int prefixLength, final EntryVisitor visitor)
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
            if (keyLength < prefixLength)
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
            visitor.onEntry(entryKey, KEY_OFFSET, keyLength, result == Result.TOMBSTONE, view, valueLength);
        }
    }

    /**
     * @return the value found by the last lookup (valid until the next one).
     */
    DirectBuffer value()
    {
        return view;
    }

    int valueLength()
    {
        return valueLength;
    }

    long version()
    {
        return version;
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
