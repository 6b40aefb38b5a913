package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.QuarantinedKeyException;

/**
 * Outcome of a point read in one checkpoint or a chain.
 */
public enum LookupStatus
{
    /** The key has a value; the caller's view now points at it. */
    FOUND,
    /** This file records the key as removed since its parent (a delta's tombstone). */
    TOMBSTONE,
    /** This file (or the whole chain) has no entry for the key. */
    ABSENT,
    /**
     * The key is quarantined: a journal frame that changed it could not be applied (see
     * {@link QuarantinedKeyException}); the caller's view points at the reason (UTF-8).
     */
    QUARANTINED
}
