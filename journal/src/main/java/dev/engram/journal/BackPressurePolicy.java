package dev.engram.journal;

/**
 * What {@link Journal#append(Delta)} does when the ring is full because the journal thread is behind.
 * Nothing is ever dropped: the caller either waits or is told.
 */
public enum BackPressurePolicy
{
    /** Wait (spin, yield, then park briefly) up to {@link JournalContext#backPressureTimeoutNs()}, then throw. */
    WAIT,
    /** Throw {@link JournalBackPressureException} at once. */
    FAIL_FAST
}
