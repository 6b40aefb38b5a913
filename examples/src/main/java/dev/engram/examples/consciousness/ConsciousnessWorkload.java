package dev.engram.examples.consciousness;

import dev.engram.engine.DeltaBuilder;
import dev.engram.engine.Engram;

import java.util.Locale;
import java.util.Map;

/**
 * The first user's world as a deterministic workload (docs/workload.md): neural populations (a
 * {@link PopulationHeader} and a {@code float[]} of weights each), the active neural groups, user contexts,
 * system metrics and the consciousness summary, under {@link ConsciousnessKeys}, encoded by
 * {@link ConsciousnessCodecs}.
 * <p>
 * Each {@link #step(Engram)} commits exactly one delta, whose content depends only on (seed, sizes, release,
 * step number): a workload that is the engine's only writer from a fresh start commits step {@code s} as
 * version {@code s}, and {@link #modelAt(long)} rebuilds the state after any step byte for byte.
 * <ul>
 *   <li>Steps 1..P create population {@code s - 1} (header and weights).</li>
 *   <li>Then every {@link Sizes#stepsPerCycle()}-th step is an <b>evolution cycle</b>: between P/4 and P/2
 *       populations evolve; each gets a new header (PUT) and 1-5 % of its weights rewritten by PATCH ops of
 *       64 B-4 KiB at random offsets, except that in about one cycle in five one of them is replaced whole
 *       (weights PUT, generation 0). The same delta PUTs the {@link ActiveNeuralGroups} and the
 *       {@link ConsciousnessSummary} of those populations.</li>
 *   <li>Other steps: 80 % change one user context, the user drawn from a Zipf distribution (exponent 1.1,
 *       user 0 the hottest): a new user joins (PUT), a session starts or ends (PUT), skills and preferences
 *       change (PUT), or, 3 % of the time, the user leaves (DELETE); 20 % PUT a {@link SystemMetrics} sample.</li>
 * </ul>
 * Times come from a logical clock ({@code 1_700_000_000_000 + 5 ms × step}), never from the wall clock.
 * <pre>{@code
 * ConsciousnessWorkload workload = new ConsciousnessWorkload(42, Sizes.DEFAULT);
 * try (Engram engram = Engram.open(dir, ConsciousnessCodecs.register(new EngramContext()))) {
 *     workload.resumeAfter(engram.recoveryReport().recoveredVersion());
 *     while (running) {
 *         workload.step(engram);
 *     }
 * }
 * }</pre>
 * Single-threaded: one thread calls {@link #step(Engram)}.
 */
public final class ConsciousnessWorkload
{
    /**
     * Which release of the application writes: the example's schema-evolution story.
     */
    public enum AppVersion
    {
        /**
         * The first release: population headers at schema version 1 (no mutation rate field; every population
         * evolves at {@link PopulationHeaderCodec#V1_MUTATION_RATE}). Its headers are stored as the
         * version-1 layout, so reading them needs {@link PopulationHeaderCodec#migrationFromV1()}.
         */
        V1(1),
        /** The current release: headers at schema version 2 with an evolving mutation rate per population. */
        V2(PopulationHeaderCodec.SCHEMA_VERSION);

        private final int headerSchemaVersion;

        AppVersion(final int headerSchemaVersion)
        {
            this.headerSchemaVersion = headerSchemaVersion;
        }

        /** @return the schema version of the population headers this release writes. */
        public int headerSchemaVersion()
        {
            return headerSchemaVersion;
        }
    }

    /**
     * How big the world is.
     *
     * @param populations     neural populations (keys {@code population/0..P-1}).
     * @param populationBytes bytes of weights per population (float32s), a multiple of 256 in [4 KiB, 256 MiB].
     * @param users           user ids drawn from (keys {@code user/0..U-1}; not all of them exist at once).
     * @param stepsPerCycle   one step in this many is an evolution cycle (after the P creation steps).
     */
    public record Sizes(int populations, int populationBytes, int users, int stepsPerCycle)
    {
        /** 64 populations of 1 MiB of weights, 10,000 users, an evolution cycle every 1,000 steps. */
        public static final Sizes DEFAULT = new Sizes(64, 1 << 20, 10_000, 1000);

        private static final String FLAGS = "--populations=N --population-bytes=N[KiB|MiB] --users=N --steps-per-cycle=N";

        /**
         * @throws IllegalArgumentException if a size is out of range.
         */
        public Sizes
        {
            final int unit = ConsciousnessSteps.WEIGHTS_PER_NEURON * PopulationWeightsCodec.WEIGHT_LENGTH;
            if (populations < 1 || populations > 65_536 || users < 1 || users > 10_000_000 || stepsPerCycle < 1 ||
                populationBytes < ConsciousnessSteps.MAX_PATCH_LENGTH || populationBytes > (256 << 20) ||
                populationBytes % unit != 0)
            {
                throw new IllegalArgumentException("sizes populations=" + populations + " populationBytes=" +
                    populationBytes + " users=" + users + " stepsPerCycle=" + stepsPerCycle + ": need populations in" +
                    " [1, 65536], populationBytes a multiple of " + unit + " in [4096, 268435456], users in" +
                    " [1, 10000000], stepsPerCycle >= 1");
            }
        }

        /**
         * Sizes from command-line flags, each absent one at its {@link #DEFAULT}:
         * {@code --populations=N --population-bytes=N[KiB|MiB] --users=N --steps-per-cycle=N}.
         *
         * @param flags the flags (other arguments are refused).
         * @return the sizes.
         * @throws IllegalArgumentException naming an unknown flag or a bad value.
         */
        public static Sizes parse(final String... flags)
        {
            int populations = DEFAULT.populations;
            int populationBytes = DEFAULT.populationBytes;
            int users = DEFAULT.users;
            int stepsPerCycle = DEFAULT.stepsPerCycle;
            for (final String flag : flags)
            {
                final int eq = flag.indexOf('=');
                final String name = eq < 0 ? flag : flag.substring(0, eq);
                final String value = eq < 0 ? "" : flag.substring(eq + 1);
                switch (name)
                {
                    case "--populations" -> populations = number(flag, value, 1);
                    case "--population-bytes" -> populationBytes = bytes(flag, value);
                    case "--users" -> users = number(flag, value, 1);
                    case "--steps-per-cycle" -> stepsPerCycle = number(flag, value, 1);
                    default -> throw new IllegalArgumentException("unknown flag=" + flag + ", known: " + FLAGS);
                }
            }
            return new Sizes(populations, populationBytes, users, stepsPerCycle);
        }

        /** @return weights (float32s) per population. */
        public int weightsPerPopulation()
        {
            return populationBytes / PopulationWeightsCodec.WEIGHT_LENGTH;
        }

        /**
         * @return an upper estimate of the largest delta (an evolution cycle replacing a population), in bytes:
         * the journal's {@code maxDeltaLength} (16 MiB by default) must be at least this.
         */
        public long maxCycleDeltaLength()
        {
            final long maxActive = Math.max(Math.max(1, populations / 4), populations / 2);
            final long patchBytes = (long)(ConsciousnessSteps.MAX_PATCH_FRACTION * populationBytes) +
                ConsciousnessSteps.MAX_PATCH_LENGTH;
            final long patchOps = patchBytes / 1024 + 2;
            return maxActive * (patchBytes + patchOps * 64 + 256) + populationBytes + 64 * 1024;
        }

        @Override
        public String toString()
        {
            return "populations=" + populations + " populationBytes=" + populationBytes + " users=" + users +
                " stepsPerCycle=" + stepsPerCycle;
        }

        private static int number(final String flag, final String value, final int multiplier)
        {
            try
            {
                return Math.multiplyExact(Integer.parseInt(value.trim()), multiplier);
            }
            catch (final NumberFormatException | ArithmeticException ex)
            {
                throw new IllegalArgumentException("flag=" + flag + " needs a whole number, known flags: " + FLAGS, ex);
            }
        }

        private static int bytes(final String flag, final String value)
        {
            final String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("mib") || v.endsWith("m"))
            {
                return number(flag, v.substring(0, v.length() - (v.endsWith("mib") ? 3 : 1)), 1 << 20);
            }
            if (v.endsWith("kib") || v.endsWith("k"))
            {
                return number(flag, v.substring(0, v.length() - (v.endsWith("kib") ? 3 : 1)), 1 << 10);
            }
            return number(flag, v, 1);
        }
    }

    private final long seed;
    private final Sizes sizes;
    private final AppVersion appVersion;
    private final ConsciousnessSteps steps;
    private final EngineOps engineOps = new EngineOps();
    private boolean failed;

    /**
     * The current release's workload ({@link AppVersion#V2}).
     *
     * @param seed  everything the workload writes follows from it.
     * @param sizes how big the world is.
     */
    public ConsciousnessWorkload(final long seed, final Sizes sizes)
    {
        this(seed, sizes, AppVersion.V2);
    }

    /**
     * @param seed       everything the workload writes follows from it.
     * @param sizes      how big the world is.
     * @param appVersion which release writes.
     */
    public ConsciousnessWorkload(final long seed, final Sizes sizes, final AppVersion appVersion)
    {
        if (sizes == null || appVersion == null)
        {
            throw new IllegalArgumentException("sizes=" + sizes + " and appVersion=" + appVersion + " must not be null");
        }
        this.seed = seed;
        this.sizes = sizes;
        this.appVersion = appVersion;
        this.steps = new ConsciousnessSteps(seed, sizes, appVersion);
        engineOps.appVersion = appVersion;
    }

    public long seed()
    {
        return seed;
    }

    public Sizes sizes()
    {
        return sizes;
    }

    public AppVersion appVersion()
    {
        return appVersion;
    }

    /** @return the step the next {@link #step(Engram)} commits (1 for a new workload). */
    public long nextStep()
    {
        return steps.lastStep() + 1;
    }

    /**
     * Position the workload after {@code lastStep}, e.g. the version an engine recovered: the next
     * {@link #step(Engram)} commits step {@code lastStep + 1}. Replays the steps' decisions in memory (no data,
     * nothing written), from step 1 if {@code lastStep} is behind the workload.
     *
     * @param lastStep the last step already in the engine, >= 0.
     * @return this.
     */
    public ConsciousnessWorkload resumeAfter(final long lastStep)
    {
        if (lastStep < 0)
        {
            throw new IllegalArgumentException("lastStep=" + lastStep + " must be >= 0");
        }
        if (failed || lastStep < steps.lastStep())
        {
            steps.reset();
        }
        while (steps.lastStep() < lastStep)
        {
            steps.generateNext(null);
        }
        failed = false;
        return this;
    }

    /**
     * Commit the next step as one delta (every PUT, PATCH and DELETE of the step in one version).
     *
     * @param engram an engine with {@link ConsciousnessCodecs} registered.
     * @return the version committed: the step number if the workload is the engine's only writer from version 1.
     * @throws IllegalStateException if an earlier step failed: call {@link #resumeAfter(long)} with the
     *                               engine's version first.
     */
    public long step(final Engram engram)
    {
        if (failed)
        {
            throw new IllegalStateException("an earlier step failed, so it is unknown what the engine holds:" +
                " call resumeAfter(<the engine's last version>) first; nextStep=" + nextStep());
        }
        boolean committed = false;
        try
        {
            engineOps.delta = engram.delta();
            steps.generateNext(engineOps);
            final long version = engineOps.delta.commit();
            committed = true;
            return version;
        }
        finally
        {
            engineOps.delta = null;
            failed = !committed;
        }
    }

    /**
     * The reference model: the state after steps 1..{@code step}, as the engine stores it.
     *
     * @param step the last step applied, >= 0.
     * @return key → stored value (read-only).
     */
    public Map<String, byte[]> modelAt(final long step)
    {
        return newModel().advanceTo(step).state();
    }

    /**
     * The reference model with the population headers at a given schema version: for
     * {@link AppVersion#V1}, {@code modelAt(step, 2)} is what a complete migration of {@code modelAt(step)}
     * must store (same headers, at schema version 2 with the mutation rate version 1 implied).
     *
     * @param step                the last step applied, >= 0.
     * @param headerSchemaVersion 1 or 2, not below what the workload's release writes.
     * @return key → stored value (read-only).
     */
    public Map<String, byte[]> modelAt(final long step, final int headerSchemaVersion)
    {
        return newModel(headerSchemaVersion).advanceTo(step).state();
    }

    /**
     * @return a reference model at step 0 to advance step by step (cheaper than {@link #modelAt(long)} for
     * a growing step), headers at the release's schema version.
     */
    public ReferenceModel newModel()
    {
        return newModel(appVersion.headerSchemaVersion());
    }

    /**
     * @param headerSchemaVersion see {@link #modelAt(long, int)}.
     * @return a reference model at step 0.
     */
    public ReferenceModel newModel(final int headerSchemaVersion)
    {
        return new ReferenceModel(new ConsciousnessSteps(seed, sizes, appVersion), appVersion, headerSchemaVersion);
    }

    @Override
    public String toString()
    {
        return "ConsciousnessWorkload{seed=" + seed + ", " + sizes + ", appVersion=" + appVersion +
            ", nextStep=" + nextStep() + "}";
    }

    /** The ops of a step into the engine's delta builder. */
    private static final class EngineOps implements StepOps
    {
        AppVersion appVersion;
        DeltaBuilder delta;

        @Override
        public void putHeader(final String key, final PopulationHeader header)
        {
            if (appVersion == AppVersion.V1)
            {
                delta.put(key, PopulationHeaderV1Layout.encode(header));
            }
            else
            {
                delta.put(key, (Object)header);
            }
        }

        @Override
        public void put(final String key, final Object value)
        {
            delta.put(key, value);
        }

        @Override
        public void patch(final String key, final long offset, final byte[] data)
        {
            delta.patch(key, offset, data);
        }

        @Override
        public void delete(final String key)
        {
            delta.delete(key);
        }
    }
}
