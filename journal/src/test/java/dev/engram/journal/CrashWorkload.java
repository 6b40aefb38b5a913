package dev.engram.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.journal.DeltaFrameDescriptor.HEADER_LENGTH;
import static dev.engram.journal.DeltaFrameDescriptor.MIN_FRAME_LENGTH;

/**
 * The deterministic workload of the crash tests. The {@code counter}-th delta of a producer in a run is a
 * pure function of {@code (seed, run, producer, counter)}, so the parent can rebuild every delta a killed
 * child appended and compare it byte for byte with what the journal hands back.
 * <p>
 * Each delta:
 * <ul>
 *   <li>PUT {@code p<producer>/<counter mod 1000>} = identity (run int, producer int, counter long, 16 bytes)
 *       followed by pseudo-random bytes: usually 0..111 of them; every {@value #OVERSIZE_EVERY}th delta
 *       600..2999, more than a default ring slot holds, so the oversize path is crashed too;</li>
 *   <li>plus a DELETE of another key of the producer when {@code counter % 7 == 3};</li>
 *   <li>plus a PATCH of the PUT key when {@code counter % 11 == 5}.</li>
 * </ul>
 * Frames the parent appends itself between children hold one PUT of {@code parent/<cycle>}.
 * One instance per thread: it reuses its buffers.
 */
final class CrashWorkload
{
    static final int IDENTITY_LENGTH = 16;
    static final int RUN_OFFSET = 0;
    static final int PRODUCER_OFFSET = 4;
    static final int COUNTER_OFFSET = 8;
    static final int KEY_SPACE = 1000;
    static final int OVERSIZE_EVERY = 251;
    static final int MAX_VALUE_LENGTH = IDENTITY_LENGTH + 3000;
    static final String PARENT_KEY_PREFIX = "parent/";

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** Who appended a frame, read back from its first op. */
    record DeltaId(int run, int producer, long counter)
    {
    }

    private final long seed;
    private final StringBuilder key = new StringBuilder(32);
    private final StringBuilder otherKey = new StringBuilder(32);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[MAX_VALUE_LENGTH]);
    private final UnsafeBuffer patch = new UnsafeBuffer(new byte[16]);

    CrashWorkload(final long seed)
    {
        this.seed = seed;
    }

    /**
     * Build the {@code counter}-th delta of {@code producer} in {@code run}.
     *
     * @param delta cleared and filled.
     * @return the delta.
     */
    Delta fill(final Delta delta, final int run, final int producer, final long counter)
    {
        final long h = mix64(mix64(mix64(seed + GOLDEN_GAMMA * (run + 1L)) + producer) + counter);
        final long lengthBits = mix64(h) >>> 1;
        final int randomLength = counter % OVERSIZE_EVERY == OVERSIZE_EVERY - 1 ?
            600 + (int)(lengthBits % 2400) : (int)(lengthBits % 112);
        final int valueLength = IDENTITY_LENGTH + randomLength;
        value.putInt(RUN_OFFSET, run);
        value.putInt(PRODUCER_OFFSET, producer);
        value.putLong(COUNTER_OFFSET, counter);
        fillRandom(value, IDENTITY_LENGTH, randomLength, h);

        key.setLength(0);
        key.append('p').append(producer).append('/').append(counter % KEY_SPACE);
        delta.clear().put(key, value, 0, valueLength);
        if (counter % 7 == 3)
        {
            otherKey.setLength(0);
            otherKey.append('p').append(producer).append('/').append((counter + KEY_SPACE / 2) % KEY_SPACE);
            delta.delete(otherKey);
        }
        if (counter % 11 == 5)
        {
            final int patchLength = 4 + (int)((lengthBits >>> 20) % 13);
            fillRandom(patch, 0, patchLength, ~h);
            delta.patch(key, counter % 64, patch, 0, patchLength);
        }
        return delta;
    }

    /**
     * @return the delta the parent appends after reopening the journal in {@code cycle}.
     */
    static Delta fillParent(final Delta delta, final int cycle)
    {
        final byte[] bytes = new byte[12];
        new UnsafeBuffer(bytes).putInt(0, 0x454E4752);
        new UnsafeBuffer(bytes).putLong(4, cycle);
        return delta.clear().put(PARENT_KEY_PREFIX + cycle, bytes);
    }

    /**
     * @param frame a verified frame.
     * @return who appended it, or null if its first op is not a workload PUT.
     */
    static DeltaId identify(final DeltaFrame frame)
    {
        frame.resetOps();
        if (!frame.nextOp() || frame.opType() != OpType.PUT || frame.dataLength() < IDENTITY_LENGTH ||
            frame.buffer().getByte(frame.keyOffset()) != 'p' || frame.keyLength() < 2 ||
            !Character.isDigit(frame.buffer().getByte(frame.keyOffset() + 1)))
        {
            return null;
        }
        final DirectBuffer buffer = frame.buffer();
        final int at = frame.dataOffset();
        return new DeltaId(buffer.getInt(at + RUN_OFFSET), buffer.getInt(at + PRODUCER_OFFSET), buffer.getLong(at + COUNTER_OFFSET));
    }

    /**
     * @return null if the frame holds exactly the ops of {@code expected}, else what differs.
     */
    static String diff(final Delta expected, final DeltaFrame frame)
    {
        final int opsLength = frame.frameLength() - MIN_FRAME_LENGTH;
        if (frame.opCount() != expected.opCount() || opsLength != expected.opsLength())
        {
            return "opCount=" + frame.opCount() + " opsLength=" + opsLength + ", expected opCount=" + expected.opCount() +
                " opsLength=" + expected.opsLength();
        }
        final DirectBuffer actual = frame.buffer();
        final DirectBuffer wanted = expected.opsBuffer();
        for (int i = 0; i < opsLength; i++)
        {
            if (actual.getByte(HEADER_LENGTH + i) != wanted.getByte(i))
            {
                return "ops differ at byte " + i + " of " + opsLength + ": found " + actual.getByte(HEADER_LENGTH + i) +
                    " expected " + wanted.getByte(i);
            }
        }
        return null;
    }

    private static void fillRandom(final UnsafeBuffer buffer, final int offset, final int length, final long seed)
    {
        long state = seed;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            state += GOLDEN_GAMMA;
            buffer.putLong(offset + i, mix64(state));
        }
        state += GOLDEN_GAMMA;
        long tail = mix64(state);
        for (; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)tail);
            tail >>>= 8;
        }
    }

    /** SplitMix64's finaliser. */
    static long mix64(final long z)
    {
        long x = z;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
