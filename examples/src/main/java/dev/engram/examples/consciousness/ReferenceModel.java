package dev.engram.examples.consciousness;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.MigrationRegistry;
import dev.engram.engine.TypedValues;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The state a {@link ConsciousnessWorkload} leaves after a given step, computed in memory by applying the
 * same ops the workload commits, typed values encoded through {@link TypedValues} with the example's codecs:
 * the bytes are the ones the engine stores, so a recovered state can be compared byte for byte.
 * Made by {@link ConsciousnessWorkload#newModel()}; advances only forwards. Single-threaded.
 */
public final class ReferenceModel
{
    private final ConsciousnessSteps steps;
    private final int headerSchemaVersion;
    private final Map<String, byte[]> state = new HashMap<>();
    private final Map<String, byte[]> view = Collections.unmodifiableMap(state);
    private final TypedValues typed;
    private final StepOps ops = new StepOps()
    {
        @Override
        public void putHeader(final String key, final PopulationHeader header)
        {
            state.put(key, headerSchemaVersion == 1 ? PopulationHeaderV1Layout.encode(header) : typed.encodeToBytes(header));
        }

        @Override
        public void put(final String key, final Object value)
        {
            state.put(key, typed.encodeToBytes(value));
        }

        @Override
        public void patch(final String key, final long offset, final byte[] data)
        {
            final byte[] current = state.get(key);
            final long end = offset + data.length;
            if (current != null && end <= current.length)
            {
                System.arraycopy(data, 0, current, (int)offset, data.length);
                return;
            }
            // as the engine does: a PATCH beyond the end (or of an absent key) extends the value with zeros
            final byte[] next = current == null ? new byte[(int)end] : Arrays.copyOf(current, (int)end);
            System.arraycopy(data, 0, next, (int)offset, data.length);
            state.put(key, next);
        }

        @Override
        public void delete(final String key)
        {
            state.remove(key);
        }
    };

    ReferenceModel(final ConsciousnessSteps steps, final ConsciousnessWorkload.AppVersion app, final int headerSchemaVersion)
    {
        if (headerSchemaVersion < app.headerSchemaVersion() || headerSchemaVersion > PopulationHeaderCodec.SCHEMA_VERSION)
        {
            throw new IllegalArgumentException("headerSchemaVersion=" + headerSchemaVersion + " must be in [" +
                app.headerSchemaVersion() + ", " + PopulationHeaderCodec.SCHEMA_VERSION + "] for appVersion=" + app +
                " (a header is never stored at an older schema version than its release wrote)");
        }
        this.steps = steps;
        this.headerSchemaVersion = headerSchemaVersion;
        final CodecRegistry codecs = new CodecRegistry();
        final MigrationRegistry migrations = new MigrationRegistry();
        ConsciousnessCodecs.register(codecs, migrations);
        this.typed = new TypedValues(codecs, migrations);
    }

    /**
     * Apply the steps after {@link #step()} up to {@code step}.
     *
     * @param step the last step to apply, >= {@link #step()}.
     * @return this.
     * @throws IllegalArgumentException if {@code step} is behind the model.
     */
    public ReferenceModel advanceTo(final long step)
    {
        if (step < steps.lastStep())
        {
            throw new IllegalArgumentException("the model is at step=" + steps.lastStep() + " and cannot go back to step=" +
                step + ": make a new one");
        }
        while (steps.lastStep() < step)
        {
            steps.generateNext(ops);
        }
        return this;
    }

    /** @return the last step applied (0 before any). */
    public long step()
    {
        return steps.lastStep();
    }

    /** @return key → stored value; a read-only live view that changes as the model advances. */
    public Map<String, byte[]> state()
    {
        return view;
    }
}
