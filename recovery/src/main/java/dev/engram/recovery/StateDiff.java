package dev.engram.recovery;

import java.util.List;

/**
 * What differs between the state at {@code fromVersion} and the state at {@code toVersion}, by value: a key
 * changed and changed back, or deleted and put again with the same bytes, is not listed. Keys are sorted
 * (by {@link String#compareTo}).
 *
 * @param fromVersion   the "before" state's version.
 * @param toVersion     the "after" state's version (may be lower than fromVersion: then the diff runs backwards).
 * @param added         keys live at toVersion but not at fromVersion.
 * @param changed       keys live at both with different bytes.
 * @param removed       keys live at fromVersion but not at toVersion.
 * @param keysCompared  keys touched by the deltas between the two versions, each compared by value.
 */
public record StateDiff(long fromVersion, long toVersion, List<String> added, List<String> changed, List<String> removed,
    long keysCompared)
{
    public StateDiff
    {
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
    }

    /**
     * @return true if the two states are equal.
     */
    public boolean isEmpty()
    {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
}
