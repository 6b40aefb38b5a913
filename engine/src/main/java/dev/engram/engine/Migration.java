package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.function.UnaryOperator;

/**
 * One step in the schema history of a codec: payloads of {@link #fromVersion()} become payloads of
 * {@link #toVersion()} = fromVersion + 1. Steps chain: reading a version-1 value of a codec at version 3
 * applies 1→2 then 2→3. Immutable; safe to share.
 */
public final class Migration
{
    private final int codecId;
    private final int fromVersion;
    private final PayloadMigration step;

    private Migration(final int codecId, final int fromVersion, final PayloadMigration step)
    {
        ValueEnvelope.checkCodecId(codecId);
        if (fromVersion < 1 || fromVersion >= ValueEnvelopeDescriptor.MAX_SCHEMA_VERSION)
        {
            throw new IllegalArgumentException("fromVersion=" + fromVersion + " must be in [1, " +
                (ValueEnvelopeDescriptor.MAX_SCHEMA_VERSION - 1) + "]");
        }
        if (step == null)
        {
            throw new IllegalArgumentException("migration step must not be null for codecId=" + codecId +
                " fromVersion=" + fromVersion);
        }
        this.codecId = codecId;
        this.fromVersion = fromVersion;
        this.step = step;
    }

    /**
     * @param codecId     the codec whose payloads it migrates.
     * @param fromVersion the schema version it reads; it writes fromVersion + 1.
     * @param step        the payload transformation.
     * @return the migration.
     */
    public static Migration of(final int codecId, final int fromVersion, final PayloadMigration step)
    {
        return new Migration(codecId, fromVersion, step);
    }

    /**
     * The same with the payload as a byte array: simpler to write, allocates per call.
     *
     * @param codecId     the codec whose payloads it migrates.
     * @param fromVersion the schema version it reads; it writes fromVersion + 1.
     * @param step        old payload bytes → new payload bytes.
     * @return the migration.
     */
    public static Migration ofBytes(final int codecId, final int fromVersion, final UnaryOperator<byte[]> step)
    {
        if (step == null)
        {
            throw new IllegalArgumentException("migration step must not be null for codecId=" + codecId +
                " fromVersion=" + fromVersion);
        }
        return new Migration(codecId, fromVersion, (payload, offset, length, out) ->
        {
            final byte[] in = new byte[length];
            payload.getBytes(offset, in);
            final byte[] migrated = step.apply(in);
            if (migrated == null)
            {
                throw new IllegalArgumentException("migration of codecId=" + codecId + " fromVersion=" + fromVersion +
                    " returned null");
            }
            out.putBytes(0, migrated);
            return migrated.length;
        });
    }

    /**
     * @return the codec id.
     */
    public int codecId()
    {
        return codecId;
    }

    /**
     * @return the schema version this step reads.
     */
    public int fromVersion()
    {
        return fromVersion;
    }

    /**
     * @return the schema version this step writes: {@code fromVersion() + 1}.
     */
    public int toVersion()
    {
        return fromVersion + 1;
    }

    /**
     * @param payload the fromVersion payload.
     * @param offset  of its first byte.
     * @param length  of the payload.
     * @param out     expandable buffer receiving the toVersion payload from index 0.
     * @return the new payload's length.
     */
    public int apply(final DirectBuffer payload, final int offset, final int length, final MutableDirectBuffer out)
    {
        final int written = step.migrate(payload, offset, length, out);
        if (written < 0)
        {
            throw new IllegalStateException("migration of codecId=" + codecId + " fromVersion=" + fromVersion +
                " returned length=" + written);
        }
        return written;
    }

    @Override
    public String toString()
    {
        return "Migration{codecId=" + codecId + ", " + fromVersion + "->" + toVersion() + "}";
    }
}
