package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One schema step of a codec's payload: reads a payload of version N, writes the same value as a
 * payload of version N + 1. Must be deterministic and keep no state between calls.
 */
@FunctionalInterface
public interface PayloadMigration
{
    /**
     * @param payload the version-N payload (read only).
     * @param offset  of its first byte.
     * @param length  of the payload.
     * @param out     expandable buffer to write the version-N+1 payload into, from index 0.
     * @return the length written to {@code out}.
     * @throws IllegalArgumentException if the payload is not a valid version-N payload.
     */
    int migrate(DirectBuffer payload, int offset, int length, MutableDirectBuffer out);
}
