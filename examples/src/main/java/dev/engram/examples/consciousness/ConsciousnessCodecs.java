package dev.engram.examples.consciousness;

import dev.engram.engine.Codec;
import dev.engram.engine.CodecRegistry;
import dev.engram.engine.EngramContext;
import dev.engram.engine.MigrationRegistry;
import dev.engram.engine.WireCodec;

/**
 * The example's codecs and their ids. The population header's codec is the engine's
 * {@link PopulationHeaderCodec} (id 256, schema version 2, with its migration from version 1).
 * <pre>{@code
 * EngramContext ctx = ConsciousnessCodecs.register(new EngramContext());
 * }</pre>
 * <pre>
 *   id   name                   type                   schema version
 *   256  population-header      PopulationHeader       2
 *   257  population-weights     float[]                1
 *   300  user-context           UserContext            1
 *   301  system-metrics         SystemMetrics          1
 *   302  consciousness-summary  ConsciousnessSummary   1
 *   303  active-neural-groups   ActiveNeuralGroups     1
 * </pre>
 */
public final class ConsciousnessCodecs
{
    /** Weights: fixed layout of float32s, see {@link PopulationWeightsCodec}. */
    public static final Codec<float[]> WEIGHTS = PopulationWeightsCodec.INSTANCE;
    /** User contexts: Chronicle Wire, tolerates added and removed fields. */
    public static final WireCodec<UserContext> USER_CONTEXT = WireCodec.of(300, "user-context", UserContext.class, 1);
    /** System metrics: Chronicle Wire. */
    public static final WireCodec<SystemMetrics> SYSTEM_METRICS = WireCodec.of(301, "system-metrics", SystemMetrics.class, 1);
    /** Consciousness summary: Chronicle Wire. */
    public static final WireCodec<ConsciousnessSummary> CONSCIOUSNESS_SUMMARY =
        WireCodec.of(302, "consciousness-summary", ConsciousnessSummary.class, 1);
    /** Active neural groups: Chronicle Wire. */
    public static final WireCodec<ActiveNeuralGroups> ACTIVE_GROUPS =
        WireCodec.of(303, "active-neural-groups", ActiveNeuralGroups.class, 1);

    private ConsciousnessCodecs()
    {
    }

    /**
     * Register every codec of the example and the population header's migration from schema version 1.
     *
     * @param ctx an engine context without any of them yet.
     * @return {@code ctx}.
     * @throws IllegalStateException if one of the ids or types is already registered.
     */
    public static EngramContext register(final EngramContext ctx)
    {
        register(ctx.codecs(), ctx.migrations());
        return ctx;
    }

    /**
     * @param codecs     receives the example's codecs, the population header's included.
     * @param migrations receives {@link PopulationHeaderCodec#migrationFromV1()}.
     */
    public static void register(final CodecRegistry codecs, final MigrationRegistry migrations)
    {
        codecs.register(PopulationHeaderCodec.INSTANCE);
        registerAllButPopulationHeader(codecs);
        migrations.register(PopulationHeaderCodec.migrationFromV1());
    }

    /**
     * What the application's first release registered: every codec but the population header's, whose
     * schema version 1 it wrote as a fixed layout of its own (see {@link ConsciousnessWorkload.AppVersion#V1}).
     *
     * @param codecs receives the codecs.
     * @return {@code codecs}.
     */
    public static CodecRegistry registerAllButPopulationHeader(final CodecRegistry codecs)
    {
        return codecs.register(WEIGHTS).register(USER_CONTEXT).register(SYSTEM_METRICS)
            .register(CONSCIOUSNESS_SUMMARY).register(ACTIVE_GROUPS);
    }
}
