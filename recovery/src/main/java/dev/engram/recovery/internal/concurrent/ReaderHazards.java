package dev.engram.recovery.internal.concurrent;

import dev.engram.recovery.internal.overlay.StateView;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hazard pointers that nest: which generation of shared off-heap state (a {@link StateView}) each reader is
 * inside, so that a generation is freed only after every reader that could still see it has left.
 * <p>
 * A reader {@link Slots#enter() enters}: it publishes the current generation in its slot for the current
 * nesting depth (a volatile store), then re-reads the current generation and the closed flag; only if the
 * generation is unchanged and the registry is open does it trust it. A reclaimer replaces the generation
 * first and scans the slots after ({@link #isProtected}); with both sides using volatile (sequentially
 * consistent) accesses, either the reader sees the replacement and retries, or the reclaimer sees the hazard
 * and keeps the generation. {@link #close()} works the same way with the closed flag: after it, a reader
 * either saw the flag and left, or is visible to {@link #anyProtected()}.
 * <p>
 * Nesting: each reader has a stack of slots (blocks of {@value #BLOCK} chained as needed, never unlinked, so
 * a scan that starts before a block is linked cannot miss a hazard published after it: the reader links the
 * block before it publishes into it). A read inside a {@code forEach} consumer, a {@code forEach} inside
 * another, each takes the next depth and leaves its own slot only.
 *
 * @param <T> the generation type.
 */
public final class ReaderHazards<T>
{
    /** Where the current generation is published. */
    public interface Source<T>
    {
        /**
         * @return the current generation: a volatile read, never null.
         */
        T current();
    }

    static final int BLOCK = 8;

    private final Source<T> source;
    private final String closedMessage;
    private final CopyOnWriteArrayList<Slots> readers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * @param source        the current generation (read with volatile semantics).
     * @param closedMessage the message of the {@link IllegalStateException} a reader gets after {@link #close()}.
     */
    public ReaderHazards(final Source<T> source, final String closedMessage)
    {
        this.source = source;
        this.closedMessage = closedMessage;
    }

    /**
     * @return a reader's slots (one reader: one thread at a time); {@link Slots#unregister()} when done.
     */
    public Slots register()
    {
        final Slots slots = new Slots();
        readers.add(slots);
        return slots;
    }

    /**
     * @return true if some reader is inside {@code generation} now (call after it stopped being current).
     */
    public boolean isProtected(final T generation)
    {
        for (final Slots slots : readers)
        {
            if (slots.holds(generation))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if some reader is inside any generation.
     */
    public boolean anyProtected()
    {
        for (final Slots slots : readers)
        {
            if (slots.holdsAny())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuse new entries: from now on {@link Slots#enter()} throws {@link IllegalStateException}.
     */
    public void close()
    {
        closed = true;
    }

    private static final class Block
    {
        final AtomicReferenceArray<Object> hazards = new AtomicReferenceArray<>(BLOCK);
        volatile Block next;
    }

    /**
     * One reader's hazard stack. Used by one thread at a time (the owner of the reader).
     */
    public final class Slots
    {
        private final Block first = new Block();
        private int depth;

        /**
         * Protect the current generation at the next depth and return it.
         *
         * @throws IllegalStateException if the registry is closed.
         */
        public T enter()
        {
            final Block block = block(depth);
            final int index = depth % BLOCK;
            T generation;
            while (true)
            {
                generation = source.current();
                block.hazards.set(index, generation);
                if (closed)
                {
                    block.hazards.set(index, null);
                    throw new IllegalStateException(closedMessage);
                }
                if (source.current() == generation)
                {
                    break;
                }
            }
            depth++;
            return generation;
        }

        /**
         * Leave the innermost generation entered.
         */
        public void exit()
        {
            if (depth == 0)
            {
                throw new IllegalStateException("reader exit without enter");
            }
            depth--;
            block(depth).hazards.set(depth % BLOCK, null);
        }

        /**
         * @return the nesting depth (0: not inside any generation).
         */
        public int depth()
        {
            return depth;
        }

        public void unregister()
        {
            readers.remove(this);
        }

        private Block block(final int atDepth)
        {
            Block block = first;
            for (int i = atDepth / BLOCK; i > 0; i--)
            {
                Block next = block.next;
                if (next == null)
                {
                    next = new Block();
                    block.next = next;   // linked (volatile) before anything is published in it
                }
                block = next;
            }
            return block;
        }

        boolean holds(final Object generation)
        {
            for (Block block = first; block != null; block = block.next)
            {
                for (int i = 0; i < BLOCK; i++)
                {
                    if (block.hazards.get(i) == generation)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        boolean holdsAny()
        {
            for (Block block = first; block != null; block = block.next)
            {
                for (int i = 0; i < BLOCK; i++)
                {
                    if (block.hazards.get(i) != null)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
