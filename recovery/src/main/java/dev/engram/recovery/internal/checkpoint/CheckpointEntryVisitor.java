package dev.engram.recovery.internal.checkpoint;

/**
 * Receives the entries of a checkpoint in file order. The entry is a flyweight re-pointed for each call:
 * copy what must outlive the call.
 */
@FunctionalInterface
public interface CheckpointEntryVisitor
{
    /**
     * @param entry the current entry.
     */
    void onEntry(CheckpointEntry entry);
}
