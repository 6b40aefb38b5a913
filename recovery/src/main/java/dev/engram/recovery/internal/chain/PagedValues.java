package dev.engram.recovery.internal.chain;

import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointWriter;
import dev.engram.recovery.internal.checkpoint.PageMapDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * How one checkpoint build writes large values: as pages ({@link CheckpointWriter#putPaged}). In a delta, a value
 * whose newest entry in the parent chain is paged with the same page length, and which only PATCHes changed in the
 * build's range ({@link PageChanges}), gets only its changed pages written; its other pages are the parent's, named
 * where they are. Everything else (a full checkpoint, a value PUT or deleted in the range, a value the parent did not
 * page) is written with all its pages.
 */
final class PagedValues
{
    private final int pageLength;
    private final int minLength;
    private final ChainFiles parent;
    private final PageChanges changes;
    private final UnsafeBuffer parentMap = new UnsafeBuffer(0, 0);

    /**
     * @param parent the chain a delta is written on, or null for a full checkpoint (no page is reused).
     */
    PagedValues(final int pageLength, final int minLength, final ChainFiles parent, final PageChanges changes)
    {
        this.pageLength = pageLength;
        this.minLength = minLength;
        this.parent = parent;
        this.changes = changes;
    }

    /**
     * @return whether a value of this length is written as pages.
     */
    boolean pages(final int valueLength)
    {
        return valueLength >= minLength;
    }

    void write(final CheckpointWriter writer, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueLength)
    {
        writer.putPaged(key, keyOffset, keyLength, value, 0, valueLength, pageLength, reuse(key, keyOffset, keyLength, valueLength));
    }

    private CheckpointWriter.PageReuse reuse(final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength)
    {
        if (parent == null)
        {
            return CheckpointWriter.PageReuse.NONE;
        }
        final long[] changed = changes.changedPages(key, keyOffset, keyLength);
        if (changed == null)
        {
            return CheckpointWriter.PageReuse.NONE;
        }
        final int flags = parent.pageMap(key, keyOffset, keyLength, parentMap);
        if (flags == -1 || (flags & CheckpointEntryDescriptor.FLAG_PAGED) == 0 ||
            parentMap.getInt(PageMapDescriptor.PAGE_LENGTH_OFFSET, LITTLE_ENDIAN) != pageLength)
        {
            return CheckpointWriter.PageReuse.NONE;
        }
        final long oldLength = parentMap.getLong(PageMapDescriptor.VALUE_LENGTH_OFFSET, LITTLE_ENDIAN);
        final int oldPages = parentMap.getInt(PageMapDescriptor.PAGE_COUNT_OFFSET, LITTLE_ENDIAN);
        // a value that grew (a PATCH past its end) also changed the old last page's length and any zero-filled gap
        final long unchangedBelow = oldLength == valueLength ? oldPages : oldLength / pageLength;
        return page -> page < unchangedBelow && !PageChanges.isSet(changed, page) ? PageMapDescriptor.ref(parentMap, 0, page) : -1;
    }
}
