package dev.engram.harness.stress;

import dev.engram.engine.DeltaBuilder;
import dev.engram.engine.Engram;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only writer of its key sets, through the public API ({@code delta().put/patch/delete().commit()}),
 * with a model of what every key holds. Ops are staged in one delta and take effect in the model only once
 * the commit returned. {@link #publish} waits until the last commit is applied and then raises the
 * keys' floors, so readers can tell a stale read. Used by one thread at a time (handed over by thread start
 * and join).
 */
final class StressWriter
{
    private static final int MAX_STAGED = 8;

    /** What the model says about one key set. */
    private static final class Model
    {
        final StressKeys keys;
        final int[] regions;
        final long[] bases;
        final long[] lastStamps;
        final byte[][] values;
        final boolean[] dirty;

        Model(final StressKeys keys)
        {
            this.keys = keys;
            this.regions = new int[keys.count()];
            this.bases = new long[keys.count()];
            this.lastStamps = new long[keys.count()];
            this.values = new byte[keys.count()][];
            this.dirty = new boolean[keys.count()];
        }
    }

    private final AtomicLong issued;
    private final SplittableRandom random;
    private final Model[] models;
    private final StressValue codec = new StressValue();
    private final int minRegions;
    private final int maxRegions;
    // ops of the delta being built: set, key, new regions, new base, stamp, new value (null: deleted)
    private final int[] stagedSet = new int[MAX_STAGED];
    private final int[] stagedKey = new int[MAX_STAGED];
    private final int[] stagedRegions = new int[MAX_STAGED];
    private final long[] stagedBase = new long[MAX_STAGED];
    private final long[] stagedStamp = new long[MAX_STAGED];
    private final byte[][] stagedValue = new byte[MAX_STAGED][];
    private int staged;
    private Engram engram;
    private DeltaBuilder delta;
    private long lastVersion;
    private long publishedVersion;
    private long commits;

    /**
     * @param issued     the suite's stamp counter (readers read it after a read: no stamp above it exists yet).
     * @param minRegions fewest regions of a PUT value.
     * @param maxRegions most regions of a PUT value (at most {@link StressValue#MAX_REGIONS}).
     * @param sets       the key sets this writer owns (addressed by their position).
     */
    StressWriter(final AtomicLong issued, final long seed, final int minRegions, final int maxRegions, final StressKeys... sets)
    {
        this.issued = issued;
        this.random = new SplittableRandom(seed);
        this.minRegions = minRegions;
        this.maxRegions = maxRegions;
        this.models = new Model[sets.length];
        for (int i = 0; i < sets.length; i++)
        {
            models[i] = new Model(sets[i]);
        }
    }

    /**
     * Write to {@code engram} from now on (a new engine after a reopen: the model stays).
     */
    void attach(final Engram engram)
    {
        this.engram = engram;
        this.staged = 0;
        this.lastVersion = 0;
        this.publishedVersion = 0;
    }

    SplittableRandom random()
    {
        return random;
    }

    int keyCount(final int set)
    {
        return models[set].keys.count();
    }

    long commits()
    {
        return commits;
    }

    /**
     * Start a delta (the calling thread's builder).
     */
    StressWriter begin()
    {
        delta = engram.delta();
        staged = 0;
        return this;
    }

    /**
     * Stage a PUT of a fresh value (all regions at one new stamp).
     */
    StressWriter put(final int set, final int key)
    {
        if (!stageable(set, key))
        {
            return this;
        }
        final Model model = models[set];
        final int regions = minRegions + random.nextInt(maxRegions - minRegions + 1);
        final long stamp = issued.incrementAndGet();
        final byte[] value = codec.value(model.keys.hash(key), regions, stamp);
        delta.put(model.keys.name(key), value);
        stage(set, key, regions, stamp, stamp, value);
        return this;
    }

    /**
     * Stage a PATCH rewriting one whole region of the key's value at a new stamp (a PUT if it has no value).
     */
    StressWriter patch(final int set, final int key)
    {
        final Model model = models[set];
        if (model.values[key] == null)
        {
            return put(set, key);
        }
        if (!stageable(set, key))
        {
            return this;
        }
        final int regions = model.regions[key];
        final int region = random.nextInt(regions);
        final long stamp = issued.incrementAndGet();
        final byte[] bytes = codec.region(model.keys.hash(key), region, regions, model.bases[key], stamp);
        delta.patch(model.keys.name(key), (long)region * StressValue.REGION_LENGTH, bytes);
        final byte[] value = model.values[key].clone();
        System.arraycopy(bytes, 0, value, region * StressValue.REGION_LENGTH, bytes.length);
        stage(set, key, regions, model.bases[key], stamp, value);
        return this;
    }

    /**
     * Stage a DELETE.
     */
    StressWriter delete(final int set, final int key)
    {
        if (!stageable(set, key))
        {
            return this;
        }
        delta.delete(models[set].keys.name(key));
        stage(set, key, 0, 0, issued.incrementAndGet(), null);
        return this;
    }

    /**
     * Stage a PUT if the key has no value, else a DELETE.
     */
    StressWriter toggle(final int set, final int key)
    {
        return models[set].values[key] == null ? put(set, key) : delete(set, key);
    }

    private boolean stageable(final int set, final int key)
    {
        if (staged == MAX_STAGED)
        {
            return false;
        }
        for (int i = 0; i < staged; i++)
        {
            if (stagedSet[i] == set && stagedKey[i] == key)
            {
                return false;   // one op per key and delta: the model stays simple
            }
        }
        return true;
    }

    private void stage(final int set, final int key, final int regions, final long base, final long stamp, final byte[] value)
    {
        stagedSet[staged] = set;
        stagedKey[staged] = key;
        stagedRegions[staged] = regions;
        stagedBase[staged] = base;
        stagedStamp[staged] = stamp;
        stagedValue[staged] = value;
        staged++;
    }

    /**
     * Commit the staged ops as one version; the model takes them only if the commit returned.
     *
     * @return the version.
     */
    long commit()
    {
        final int ops = staged;
        staged = 0;
        if (ops == 0)
        {
            return lastVersion;
        }
        final long version = delta.commit();
        for (int i = 0; i < ops; i++)
        {
            final Model model = models[stagedSet[i]];
            final int key = stagedKey[i];
            model.regions[key] = stagedRegions[i];
            model.bases[key] = stagedBase[i];
            model.lastStamps[key] = stagedStamp[i];
            model.values[key] = stagedValue[i];
            model.dirty[key] = true;
        }
        lastVersion = version;
        commits++;
        return version;
    }

    /**
     * PUT every key of a set (fresh values; a reopened engine then matches the model again), a few keys a
     * delta, and publish.
     *
     * @return false if the writes were not applied within the timeout.
     */
    boolean putAll(final int set, final long timeoutMs)
    {
        final int count = models[set].keys.count();
        for (int key = 0; key < count; key += MAX_STAGED)
        {
            begin();
            for (int k = key; k < Math.min(count, key + MAX_STAGED); k++)
            {
                put(set, k);
            }
            commit();
        }
        return publish(timeoutMs);
    }

    /**
     * Wait until the last commit is applied, then raise the floors of the keys written since the last
     * publish to their newest stamps.
     *
     * @return false on timeout.
     */
    boolean publish(final long timeoutMs)
    {
        if (lastVersion == publishedVersion)
        {
            return true;
        }
        if (!engram.awaitApplied(lastVersion, timeoutMs, TimeUnit.MILLISECONDS))
        {
            return false;
        }
        for (final Model model : models)
        {
            for (int key = 0; key < model.dirty.length; key++)
            {
                if (model.dirty[key])
                {
                    model.dirty[key] = false;
                    if (model.values[key] != null)
                    {
                        model.keys.raiseFloor(key, model.lastStamps[key]);
                    }
                }
            }
        }
        publishedVersion = lastVersion;
        return true;
    }

    long lastVersion()
    {
        return lastVersion;
    }

    /**
     * @return the model's value of a key (null: absent).
     */
    byte[] expected(final int set, final int key)
    {
        return models[set].values[key];
    }

    /**
     * @return null if every key of the set reads back exactly as the model says (call after publish, with
     * no write running), else the first differences.
     */
    String compareWithModel(final int set)
    {
        final Model model = models[set];
        final StringBuilder problems = new StringBuilder();
        int differing = 0;
        for (int key = 0; key < model.values.length; key++)
        {
            final byte[] actual = engram.get(model.keys.name(key));
            if (!Arrays.equals(actual, model.values[key]) && differing++ < 5)
            {
                problems.append(model.keys.name(key)).append(": read ")
                    .append(actual == null ? "nothing" : actual.length + " bytes")
                    .append(", model ").append(model.values[key] == null ? "absent" : model.values[key].length + " bytes")
                    .append("; ");
            }
        }
        return differing == 0 ? null : differing + " keys differ from the writer's model: " + problems;
    }
}
