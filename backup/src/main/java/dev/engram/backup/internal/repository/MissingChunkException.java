package dev.engram.backup.internal.repository;

import dev.engram.backup.internal.format.ChunkId;

import java.io.IOException;

/**
 * A manifest refers to a chunk no pack of the repository holds.
 */
public final class MissingChunkException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final transient ChunkId id;

    public MissingChunkException(final ChunkId id)
    {
        super("chunk " + id + " is in no pack of the repository");
        this.id = id;
    }

    /** The chunk. */
    public ChunkId id()
    {
        return id;
    }
}
