package dev.engram.examples.consciousness;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The content of each step of {@link ConsciousnessWorkload}: a deterministic state machine over a light
 * "shadow" of the state (population and user records, never the weights). The ops of step {@code s} depend
 * only on the seed, the sizes, the release and steps 1..s, so the engine's writer and the reference model
 * (each with its own instance) produce the same ops.
 * <p>
 * Each step has two random streams seeded by (seed, step): {@code decisions}, which alone moves the shadow,
 * and {@code data} (patch positions, new weights), which does not. Generating without a receiver skips the
 * data stream, so fast-forwarding over steps already written costs only the decisions.
 * <p>
 * Steps 1..P (P populations) create population {@code s - 1}; after that every {@code stepsPerCycle}-th step
 * is an evolution cycle and the others change a user context (80 %) or put a system metrics sample (20 %).
 * Single-threaded.
 */
final class ConsciousnessSteps
{
    /** The logical clock: step {@code s} happens at {@code EPOCH_MS + s * MS_PER_STEP}. */
    static final long EPOCH_MS = 1_700_000_000_000L;
    static final long MS_PER_STEP = 5;
    static final double ZIPF_EXPONENT = 1.1;
    static final int WEIGHTS_PER_NEURON = 64;
    static final int MIN_PATCH_LENGTH = 64;
    static final int MAX_PATCH_LENGTH = 4096;
    static final double MIN_PATCH_FRACTION = 0.01;
    static final double MAX_PATCH_FRACTION = 0.05;
    /** About one cycle in this many replaces one of its populations. */
    static final int REPLACE_ONE_IN_CYCLES = 5;
    static final int USER_STEP_PERCENT = 80;
    static final int LEAVE_PERCENT = 3;
    static final int MAX_RECENT_TOPICS = 12;

    static final String[] DOMAINS = {
        "perception", "language", "reasoning", "memory", "planning", "motor-control",
        "social", "creativity", "mathematics", "music", "navigation", "ethics"};
    static final String[] TOPICS = {
        "attention", "pattern-completion", "analogy", "working-memory", "causal-inference", "self-model",
        "curiosity", "transfer-learning", "grammar", "rhythm", "spatial-maps", "empathy",
        "proof-sketching", "counterfactuals", "habit-forming", "meta-learning"};
    static final String[] PACES = {"slow", "normal", "fast"};
    static final String[] MODALITIES = {"visual", "auditory", "reading", "hands-on"};
    static final String[] DIFFICULTIES = {"gentle", "adaptive", "challenging"};
    static final String[] COMPONENTS = {
        "neural-engine", "context-store", "consciousness-core", "evolution-scheduler", "api-gateway"};

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long DATA_SALT = 0xD1B54A32D192ED03L;

    private final long seed;
    private final ConsciousnessWorkload.Sizes sizes;
    private final boolean appV1;
    private final double[] zipfCdf;
    private final Population[] populations;
    private final User[] users;
    private final int[] ids;
    private long lastStep;

    ConsciousnessSteps(final long seed, final ConsciousnessWorkload.Sizes sizes, final ConsciousnessWorkload.AppVersion app)
    {
        this.seed = seed;
        this.sizes = sizes;
        this.appV1 = app == ConsciousnessWorkload.AppVersion.V1;
        this.zipfCdf = zipfCdf(sizes.users(), ZIPF_EXPONENT);
        this.populations = new Population[sizes.populations()];
        this.users = new User[sizes.users()];
        this.ids = new int[sizes.populations()];
    }

    /** @return the last step generated (0 before the first). */
    long lastStep()
    {
        return lastStep;
    }

    /** Forget every step: the next one is step 1. */
    void reset()
    {
        Arrays.fill(populations, null);
        Arrays.fill(users, null);
        lastStep = 0;
    }

    static long timeMs(final long step)
    {
        return EPOCH_MS + step * MS_PER_STEP;
    }

    /**
     * Generate step {@code lastStep() + 1}.
     *
     * @param ops receives its ops, or null to move the shadow only.
     * @return the step generated.
     */
    long generateNext(final StepOps ops)
    {
        final long step = lastStep + 1;
        final SplittableRandom decisions = new SplittableRandom(seed * GOLDEN + step);
        final SplittableRandom data = ops == null ? null : new SplittableRandom((seed ^ DATA_SALT) * GOLDEN + step);
        final int populationCount = sizes.populations();
        if (step <= populationCount)
        {
            createPopulation((int)(step - 1), step, decisions, data, ops);
        }
        else if ((step - populationCount) % sizes.stepsPerCycle() == 0)
        {
            evolutionCycle((step - populationCount) / sizes.stepsPerCycle(), step, decisions, data, ops);
        }
        else if (decisions.nextInt(100) < USER_STEP_PERCENT)
        {
            userStep(step, decisions, ops);
        }
        else if (ops != null)
        {
            ops.put(ConsciousnessKeys.SYSTEM_METRICS, systemMetrics(step, decisions));
        }
        lastStep = step;
        return step;
    }

    private void createPopulation(
        final int id, final long step, final SplittableRandom decisions, final SplittableRandom data, final StepOps ops)
    {
        final Population population = new Population(decisions, appV1);
        populations[id] = population;
        final PopulationHeader header = header(population, step, decisions);
        if (ops != null)
        {
            ops.putHeader(ConsciousnessKeys.populationHeader(id), header);
            ops.put(ConsciousnessKeys.populationWeights(id), newWeights(data));
        }
    }

    private void evolutionCycle(
        final long cycle, final long step, final SplittableRandom decisions, final SplittableRandom data, final StepOps ops)
    {
        final int count = sizes.populations();
        final int low = Math.max(1, count / 4);
        final int high = Math.max(low, count / 2);
        final int active = low + decisions.nextInt(high - low + 1);
        for (int i = 0; i < count; i++)
        {
            ids[i] = i;
        }
        for (int i = 0; i < active; i++)
        {
            final int j = i + decisions.nextInt(count - i);
            final int id = ids[j];
            ids[j] = ids[i];
            ids[i] = id;
        }
        Arrays.sort(ids, 0, active);
        final int replaced = decisions.nextInt(REPLACE_ONE_IN_CYCLES) == 0 ? ids[decisions.nextInt(active)] : -1;
        double fitnessSum = 0;
        double diversitySum = 0;
        double mutationSum = 0;
        final List<Integer> activeIds = new ArrayList<>(active);
        for (int i = 0; i < active; i++)
        {
            final int id = ids[i];
            activeIds.add(id);
            final Population population;
            if (id == replaced)
            {
                population = new Population(decisions, appV1);
                populations[id] = population;
                if (ops != null)
                {
                    ops.put(ConsciousnessKeys.populationWeights(id), newWeights(data));
                }
            }
            else
            {
                population = populations[id];
                population.evolve(decisions, appV1);
                if (ops != null)
                {
                    patchWeights(ConsciousnessKeys.populationWeights(id), data, ops);
                }
            }
            final PopulationHeader header = header(population, step, decisions);
            if (ops != null)
            {
                ops.putHeader(ConsciousnessKeys.populationHeader(id), header);
            }
            fitnessSum += population.fitness;
            diversitySum += population.diversity;
            mutationSum += population.mutationRate;
        }
        if (ops != null)
        {
            ops.put(ConsciousnessKeys.ACTIVE_GROUPS, new ActiveNeuralGroups(cycle, activeIds));
            ops.put(ConsciousnessKeys.CONSCIOUSNESS, new ConsciousnessSummary(
                fitnessSum / active, diversitySum / active * active / count, mutationSum / active, cycle));
        }
    }

    private PopulationHeader header(final Population population, final long step, final SplittableRandom decisions)
    {
        final int neurons = sizes.weightsPerPopulation() / WEIGHTS_PER_NEURON;
        final int activeNeurons = neurons / 2 + decisions.nextInt(neurons - neurons / 2 + 1);
        return new PopulationHeader(neurons, population.specialization, population.fitness, population.diversity,
            population.generation, activeNeurons, timeMs(step), population.mutationRate);
    }

    private float[] newWeights(final SplittableRandom data)
    {
        final float[] weights = new float[sizes.weightsPerPopulation()];
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = weight(data);
        }
        return weights;
    }

    /** Rewrite 1-5 % of the weights as patches of 64 B-4 KiB (whole weights) at random positions. */
    private void patchWeights(final String key, final SplittableRandom data, final StepOps ops)
    {
        final int weights = sizes.weightsPerPopulation();
        final double fraction = MIN_PATCH_FRACTION + data.nextDouble() * (MAX_PATCH_FRACTION - MIN_PATCH_FRACTION);
        final long target = (long)(fraction * weights * PopulationWeightsCodec.WEIGHT_LENGTH);
        final int minWeights = MIN_PATCH_LENGTH / PopulationWeightsCodec.WEIGHT_LENGTH;
        final int maxWeights = MAX_PATCH_LENGTH / PopulationWeightsCodec.WEIGHT_LENGTH;
        long written = 0;
        while (written < target)
        {
            final int length = Math.min(weights, minWeights + data.nextInt(maxWeights - minWeights + 1));
            final int index = data.nextInt(weights - length + 1);
            final byte[] bytes = new byte[length * PopulationWeightsCodec.WEIGHT_LENGTH];
            for (int i = 0; i < bytes.length; i += PopulationWeightsCodec.WEIGHT_LENGTH)
            {
                final int bits = Float.floatToRawIntBits(weight(data));
                bytes[i] = (byte)bits;
                bytes[i + 1] = (byte)(bits >>> 8);
                bytes[i + 2] = (byte)(bits >>> 16);
                bytes[i + 3] = (byte)(bits >>> 24);
            }
            ops.patch(key, PopulationWeightsCodec.byteOffsetOf(index), bytes);
            written += bytes.length;
        }
    }

    /** A weight in [-1, 1). */
    private static float weight(final SplittableRandom data)
    {
        return (data.nextInt() >> 8) * 0x1.0p-23f;
    }

    private void userStep(final long step, final SplittableRandom decisions, final StepOps ops)
    {
        final int id = zipf(decisions.nextDouble());
        final String key = ConsciousnessKeys.user(id);
        final long now = timeMs(step);
        User user = users[id];
        if (user == null)
        {
            user = new User(decisions);
            users[id] = user;
        }
        else
        {
            final int action = decisions.nextInt(100);
            if (action < LEAVE_PERCENT)
            {
                users[id] = null;
                if (ops != null)
                {
                    ops.delete(key);
                }
                return;
            }
            if (user.sessionId == null && action < 45)
            {
                user.startSession("s-" + id + "-" + step, TOPICS[decisions.nextInt(TOPICS.length)], now);
            }
            else if (user.sessionId != null && action < 35)
            {
                user.endSession();
            }
            else
            {
                user.learn(decisions);
            }
        }
        user.lastActiveMs = now;
        if (ops != null)
        {
            ops.put(key, user.context(id));
        }
    }

    private static SystemMetrics systemMetrics(final long step, final SplittableRandom r)
    {
        final long gib = 1L << 30;
        final long mib = 1L << 20;
        final SystemMetrics metrics = new SystemMetrics()
            .sampledAtMs(timeMs(step))
            .cpuPercent(hundredths(5 + 90 * r.nextDouble()))
            .memory(8 * gib + r.nextLong(52 * gib), 64 * gib)
            .gpuPercent(hundredths(100 * r.nextDouble()))
            .io(r.nextLong(500 * mib), r.nextLong(300 * mib))
            .network(r.nextLong(1000 * mib), r.nextLong(800 * mib))
            .processingTimeMs(hundredths(0.5 + 49.5 * r.nextDouble()));
        for (final String component : COMPONENTS)
        {
            metrics.componentResponseMs(component, hundredths(0.1 + 20 * r.nextDouble()));
        }
        return metrics;
    }

    private static double hundredths(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }

    private static double clamp(final double value, final double min, final double max)
    {
        return Math.max(min, Math.min(max, value));
    }

    private int zipf(final double uniform)
    {
        int low = 0;
        int high = zipfCdf.length - 1;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (zipfCdf[mid] < uniform)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /** @return cumulative probabilities of ranks 1..n (user id = rank - 1: user 0 is the hottest). */
    private static double[] zipfCdf(final int n, final double exponent)
    {
        final double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++)
        {
            cdf[i] /= sum;
        }
        cdf[n - 1] = 1.0;
        return cdf;
    }

    /** The shadow of one population: what its next header holds. */
    private static final class Population
    {
        final int specialization;
        double fitness;
        double diversity;
        double mutationRate;
        long generation;

        Population(final SplittableRandom r, final boolean appV1)
        {
            specialization = r.nextInt(16);
            fitness = 0.2 + 0.3 * r.nextDouble();
            diversity = 0.5 + 0.5 * r.nextDouble();
            final double rate = 0.005 + 0.045 * r.nextDouble();
            mutationRate = appV1 ? PopulationHeaderCodec.V1_MUTATION_RATE : rate;
        }

        void evolve(final SplittableRandom r, final boolean appV1)
        {
            generation++;
            fitness = clamp(fitness + (r.nextDouble() - 0.4) * 0.02, 0, 1);
            diversity = clamp(diversity + (r.nextDouble() - 0.5) * 0.03, 0, 1);
            final double factor = 0.9 + 0.2 * r.nextDouble();
            if (!appV1)
            {
                mutationRate = clamp(mutationRate * factor, 0.001, 0.1);
            }
        }
    }

    /** The shadow of one user's context. */
    private static final class User
    {
        final double[] skills = new double[DOMAINS.length];
        final int[] preferences = new int[3];
        final List<String> recentTopics = new ArrayList<>();
        String sessionId;
        String sessionTopic;
        long sessionStartedMs;
        long lastActiveMs;

        User(final SplittableRandom r)
        {
            for (int i = 0; i < skills.length; i++)
            {
                skills[i] = 0.6 * r.nextDouble();
            }
            preferences[0] = r.nextInt(PACES.length);
            preferences[1] = r.nextInt(MODALITIES.length);
            preferences[2] = r.nextInt(DIFFICULTIES.length);
        }

        void startSession(final String id, final String topic, final long nowMs)
        {
            sessionId = id;
            sessionTopic = topic;
            sessionStartedMs = nowMs;
            recentTopics.add(topic);
            if (recentTopics.size() > MAX_RECENT_TOPICS)
            {
                recentTopics.remove(0);
            }
        }

        void endSession()
        {
            sessionId = null;
            sessionTopic = null;
            sessionStartedMs = 0;
        }

        void learn(final SplittableRandom r)
        {
            final int domains = 1 + r.nextInt(2);
            for (int i = 0; i < domains; i++)
            {
                final int domain = r.nextInt(skills.length);
                skills[domain] = clamp(skills[domain] + r.nextDouble() * 0.07 - 0.02, 0, 1);
            }
            if (r.nextInt(10) == 0)
            {
                final int which = r.nextInt(preferences.length);
                final int choices = which == 0 ? PACES.length : which == 1 ? MODALITIES.length : DIFFICULTIES.length;
                preferences[which] = r.nextInt(choices);
            }
        }

        UserContext context(final int id)
        {
            final UserContext context = new UserContext("u" + id);
            for (int i = 0; i < skills.length; i++)
            {
                context.skillLevel(DOMAINS[i], skills[i]);
            }
            context.learningPreference("pace", PACES[preferences[0]])
                .learningPreference("modality", MODALITIES[preferences[1]])
                .learningPreference("difficulty", DIFFICULTIES[preferences[2]])
                .currentSession(sessionId == null ? null : new UserSession(sessionId, sessionTopic, sessionStartedMs))
                .lastActiveMs(lastActiveMs);
            for (final String topic : recentTopics)
            {
                context.recentTopic(topic);
            }
            return context;
        }
    }
}
