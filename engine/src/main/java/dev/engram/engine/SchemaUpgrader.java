package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Brings an old payload forward through its codec's {@link Migration} chain, as far as the steps go,
 * and checks the codec can decode where it ends. Two scratch buffers take turns as a step's input and
 * output, so a warmed-up upgrader allocates nothing of its own. Owned by one thread at a time.
 * <p>
 * The rule, for a payload of version {@code s} and a codec writing version {@code c}:
 * <ol>
 *   <li>{@code s > c}: {@link SchemaVersionException}, never a guess;</li>
 *   <li>apply steps {@code s→s+1→…} while one is registered and the version is below {@code c};</li>
 *   <li>stop at version {@code v}: if {@code v == c}, done; if {@code v} is at least the codec's
 *       {@link Codec#oldestDecodableSchemaVersion()} and no later step exists that reading {@code v}
 *       directly would skip, the codec reads {@code v} itself; otherwise {@link MissingMigrationException}
 *       naming the gap {@code v→v+1}.</li>
 * </ol>
 */
final class SchemaUpgrader
{
    private final MigrationRegistry migrations;
    private final ExpandableArrayBuffer first = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer second = new ExpandableArrayBuffer(256);

    private DirectBuffer resultBuffer;
    private int resultOffset;
    private int resultLength;
    private int resultVersion;

    SchemaUpgrader(final MigrationRegistry migrations)
    {
        this.migrations = migrations;
    }

    /**
     * Upgrade a payload; read the outcome from the {@code result*} accessors until the next call.
     *
     * @param key           for messages.
     * @param codec         the payload's codec.
     * @param buffer        holding the payload.
     * @param offset        of its first byte.
     * @param length        of the payload.
     * @param storedVersion the schema version in its envelope.
     */
    void upgrade(
        final CharSequence key,
        final Codec<?> codec,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int storedVersion)
    {
        final int current = codec.currentSchemaVersion();
        if (storedVersion > current)
        {
            throw new SchemaVersionException(key, codec, storedVersion);
        }
        DirectBuffer in = buffer;
        int inOffset = offset;
        int inLength = length;
        int version = storedVersion;
        while (version < current)
        {
            final Migration step = migrations.migration(codec.id(), version);
            if (step == null)
            {
                break;
            }
            final ExpandableArrayBuffer out = in == first ? second : first;
            try
            {
                inLength = step.apply(in, inOffset, inLength, out);
            }
            catch (final TypedValueException ex)
            {
                throw ex;
            }
            catch (final RuntimeException ex)
            {
                throw new ValueDecodeException(key, codec, "migration " + version + "->" + (version + 1), version, ex);
            }
            in = out;
            inOffset = 0;
            version++;
        }
        if (version < current && (version < codec.oldestDecodableSchemaVersion() || laterStepExists(codec, version)))
        {
            throw new MissingMigrationException(key, codec, storedVersion, version);
        }
        resultBuffer = in;
        resultOffset = inOffset;
        resultLength = inLength;
        resultVersion = version;
    }

    DirectBuffer resultBuffer()
    {
        return resultBuffer;
    }

    int resultOffset()
    {
        return resultOffset;
    }

    int resultLength()
    {
        return resultLength;
    }

    /**
     * @return the version the payload reached: the codec's current one, or one it decodes directly.
     */
    int resultVersion()
    {
        return resultVersion;
    }

    private boolean laterStepExists(final Codec<?> codec, final int version)
    {
        for (int v = version + 1; v < codec.currentSchemaVersion(); v++)
        {
            if (migrations.migration(codec.id(), v) != null)
            {
                return true;
            }
        }
        return false;
    }
}
