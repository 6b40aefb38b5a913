package dev.engram.recovery.internal.history;

/**
 * Placeholder: history anchors (see below).
 */
final class HistoryAnchors
{
    boolean buildDue()
    {
        return false;
    }
}
