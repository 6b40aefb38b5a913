package dev.engram.harness.peers;

import dev.engram.harness.recovery.StateWorkload;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The reference model of the workload, computed without any store: for every version {@code v} (the first
 * {@code v} puts: the load's keys in order, then the tail) the number of keys present and the state
 * checksum. A recovered state is right if it equals the state at one version {@code r}; what a crash lost is
 * then {@code acknowledged - r}. One long per version (16 MiB for a 1 M-key, 1 M-tail workload).
 */
final class ExpectedStates
{
    private final int keyCount;
    private final long[] checksums;

    /** Outcome of checking one recovered state. */
    record Verdict(boolean ok, long recoveredVersion, long lost, String message)
    {
    }

    ExpectedStates(final StateWorkload workload)
    {
        this.keyCount = workload.keyCount();
        final int versions = workload.keyCount() + workload.tailCount();
        this.checksums = new long[versions + 1];
        final long[] hashes = new long[keyCount];
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final byte[] value = new byte[workload.valueLength()];
        long sum = 0;
        for (int k = 0; k < keyCount; k++)
        {
            workload.fillValue(value, value.length, k, 0);
            hashes[k] = StateWorkload.valueHash(scratch, value);
            sum += StateWorkload.keyChecksum(k, hashes[k]);
            checksums[k + 1] = sum;
        }
        final byte[] tailValue = new byte[workload.tailValueLength()];
        final StateWorkload.TailKeys keys = workload.tailKeys();
        for (int j = 0; j < workload.tailCount(); j++)
        {
            final int k = keys.next();
            workload.fillValue(tailValue, tailValue.length, k, j + 1);
            final long hash = StateWorkload.valueHash(scratch, tailValue);
            sum += StateWorkload.keyChecksum(k, hash) - StateWorkload.keyChecksum(k, hashes[k]);
            hashes[k] = hash;
            checksums[keyCount + j + 1] = sum;
        }
    }

    long finalChecksum()
    {
        return checksums[checksums.length - 1];
    }

    /**
     * @return the version whose state has {@code count} keys and {@code checksum} (the newest such version
     *         at or below {@code atMost}, else the newest above it), or -1 if no version has that state.
     */
    long versionOf(final long count, final long checksum, final long atMost)
    {
        if (count < keyCount)
        {
            return count >= 0 && checksums[(int)count] == checksum ? count : -1;
        }
        if (count != keyCount)
        {
            return -1;
        }
        final int top = (int)Math.min(atMost, checksums.length - 1);
        for (int v = top; v >= keyCount; v--)
        {
            if (checksums[v] == checksum)
            {
                return v;
            }
        }
        for (int v = top + 1; v < checksums.length; v++)
        {
            if (checksums[v] == checksum)
            {
                return v;
            }
        }
        return -1;
    }

    /**
     * Check a recovered state against the workload and against what the writer acknowledged.
     *
     * @param reportedVersion the version the system says it recovered, -1 if it cannot say.
     */
    Verdict verify(final PeerSystem system, final long count, final long checksum, final long reportedVersion, final long acked)
    {
        final long r = versionOf(count, checksum, acked);
        if (r < 0)
        {
            return new Verdict(false, -1, -1, String.format("%s: the recovered state (%,d keys, checksum %d) is the workload's state " +
                "at no version: wrong or mixed values", system.title(), count, checksum));
        }
        if (reportedVersion >= 0 && reportedVersion != r)
        {
            return new Verdict(false, r, Math.max(0, acked - r), String.format("%s says it recovered version %,d but its state is " +
                "version %,d", system.title(), reportedVersion, r));
        }
        final long lost = Math.max(0, acked - r);
        if (lost > 0 && !system.losesOnCrash())
        {
            return new Verdict(false, r, lost, String.format("%s lost %,d acknowledged versions (recovered %,d of %,d)", system.title(),
                lost, r, acked));
        }
        return new Verdict(true, r, lost, String.format("%s: state = workload at version %,d (%,d acknowledged, %,d lost)",
            system.title(), r, acked, lost));
    }
}
