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
        final long address = Overlay.find(overlay.table(), key, keyOffset, keyLength, hash, scratch);
        if (address == 0)
        {
            return Result.ABSENT;
        }
        scratch.wrap(address, KEY_OFFSET);
        while (true)
        {
            final long before = scratch.getLongVolatile(SEQUENCE_OFFSET);
            if ((before & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final int kind = scratch.getInt(KIND_OFFSET);
            final long a = scratch.getLong(A_OFFSET);
            final long b = scratch.getLong(B_OFFSET);
            final int length = scratch.getInt(VALUE_LENGTH_OFFSET);
            final long entryVersion = scratch.getLong(VERSION_OFFSET);
            if (kind == KIND_ARENA)
            {
                copy.checkLimit(length);
                arena.wrap(a, Math.max(length, 1));
                copy.putBytes(0, arena, 0, length);
            }
            VarHandle.loadLoadFence();
            if (scratch.getLongVolatile(SEQUENCE_OFFSET) != before)
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
