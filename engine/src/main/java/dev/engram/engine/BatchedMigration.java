package dev.engram.engine;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrameDescriptor;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.StateReader;
import org.agrona.DirectBuffer;

import java.util.function.LongConsumer;

/**
 * One run of {@link Engram#migrate}: walks every live key once (zero-copy, through the calling thread's reader)
 * and rewrites each typed value an older schema version wrote at its codec's current version, in batches: a batch
 * is one delta of at most {@code maxKeys} keys and about {@code maxBytes} bytes (a single value larger than that
 * goes alone), committed as soon as it is full, so memory stays bounded by one batch whatever the state's size.
 * <p>
 * Restartable: each batch is atomic, so after a crash or an exception midway every value is either as it was (an
 * older schema, still readable: reads upgrade on the fly) or rewritten; running migrate again rewrites the rest.
 * A run walks the whole state each time (cost is proportional to it, not to what is left). One per call.
 */
final class BatchedMigration implements StateReader.EntryConsumer
{
    private static final int PROGRESS_EVERY_KEYS = 1_000;

    private final Engram engram;
    private final TypedValues typed;
    private final Delta batch;
    private final int maxKeys;
    private final int maxBytes;
    private final LongConsumer progress;
    private final ValueEnvelope envelope = new ValueEnvelope();

    private long scanned;
    private long migrated;
    private long skippedRaw;
    private long deltas;
    private int largestDeltaKeys;
    private long lastVersion;

    BatchedMigration(
        final Engram engram, final TypedValues typed, final Delta batch, final int maxKeys, final int maxBytes,
        final LongConsumer progress)
    {
        if (progress == null)
        {
            throw new IllegalArgumentException("migrate progress consumer must not be null (use scanned -> { })");
        }
        this.engram = engram;
        this.typed = typed;
        this.batch = batch.clear();
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
        this.progress = progress;
    }

    MigrationReport run(final StateReader reader)
    {
        final long start = System.nanoTime();
        reader.forEach("", this);
        commit();
        progress.accept(scanned);
        return new MigrationReport(scanned, migrated, skippedRaw, lastVersion, System.nanoTime() - start, deltas, largestDeltaKeys);
    }

    @Override
    public void accept(
        final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value, final int valueOffset,
        final int valueLength)
    {
        scanned++;
        if (envelope.wrap(value, valueOffset, valueLength).verify() != ValueEnvelope.Check.OK)
        {
            skippedRaw++;
        }
        else
        {
            final String name = Utf8.decode(key, keyOffset, keyLength);
            final byte[] upgraded = typed.upgrade(name, value, valueOffset, valueLength);
            if (upgraded != null)
            {
                final long opLength = (long)DeltaFrameDescriptor.OP_HEADER_LENGTH + keyLength + upgraded.length;
                if (batch.opCount() > 0 && (batch.opCount() >= maxKeys || batch.frameLength() + opLength > maxBytes))
                {
                    commit();
                }
                batch.put(name, upgraded);
            }
        }
        if (scanned % PROGRESS_EVERY_KEYS == 0)
        {
            progress.accept(scanned);
        }
    }

    private void commit()
    {
        final int keys = batch.opCount();
        if (keys == 0)
        {
            return;
        }
        lastVersion = engram.append(batch);
        migrated += keys;
        deltas++;
        largestDeltaKeys = Math.max(largestDeltaKeys, keys);
        batch.clear();
        progress.accept(scanned);
    }
}
