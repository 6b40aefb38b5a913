package dev.engram.recovery.internal.overlay;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.DeltaFrameDescriptor;
import dev.engram.journal.OpType;
import dev.engram.recovery.QuarantinedKeyException;

/**
 * What an indexer does with a journal frame it cannot apply: instead of failing (which would stop the applier
 * and every later open: one bad frame would brick the store) it quarantines the keys the frame changes. A
 * quarantined key's reads are refused with {@link QuarantinedKeyException} until a later PUT or DELETE replaces
 * it; everything else carries on. Such frames pass the journal's own checks (CRC, structure) but break a limit
 * the engine enforces only when appending — e.g. a PATCH past the largest value written by an engine version
 * that did not check it.
 */
public final class FrameQuarantine
{
    /** Told about each key quarantined. */
    public interface Listener
    {
        void onQuarantined(String key, long version, String reason);
    }

    static final Listener NONE = (key, version, reason) -> {};

    private FrameQuarantine()
    {
    }

    /**
     * Check what can be checked without applying: each op's limits. Walks the ops from the first and resets the cursor.
     *
     * @return null if the frame looks applicable, else what is wrong (without the frame's location).
     */
    static String problem(final DeltaFrame frame)
    {
        frame.resetOps();
        String problem = null;
        while (problem == null && frame.nextOp())
        {
            if (!withinLimits(frame.opType(), frame.patchOffset(), frame.dataLength()))
            {
                problem = describe(frame.opType(), frame.patchOffset(), frame.dataLength(), frame.key());
            }
        }
        frame.resetOps();
        return problem;
    }

    /**
     * @return true if the op is within the engine's limits (allocation-free).
     */
    static boolean withinLimits(final OpType type, final long patchOffset, final int dataLength)
    {
        return type != null && (type != OpType.PATCH ||
            (patchOffset >= 0 && patchOffset <= DeltaFrameDescriptor.MAX_VALUE_LENGTH - (long)dataLength));
    }

    /**
     * @return what is wrong with an op that is not {@link #withinLimits}.
     */
    static String describe(final OpType type, final long patchOffset, final int dataLength, final String key)
    {
        if (type == null)
        {
            return "unknown op for key '" + key + "'";
        }
        return type + " of key '" + key + "' at patchOffset=" + patchOffset + " length=" + dataLength +
            " goes past the largest value (" + DeltaFrameDescriptor.MAX_VALUE_LENGTH + " bytes)";
    }

    /**
     * @return the reason recorded with each quarantined key: the version, what was wrong, where the frame is.
     */
    static String reason(final long version, final int cycle, final long framePosition, final String what)
    {
        final String where = framePosition < 0 ? "journal bridge file, the queue still opening" :
            "journal cycle=" + cycle + " frame position=" + framePosition;
        return "the delta of version=" + version + " could not be applied: " + what + " (" + where + "; the frame " +
            "passed its CRC check: it was written by an engine that did not refuse it)";
    }
}
