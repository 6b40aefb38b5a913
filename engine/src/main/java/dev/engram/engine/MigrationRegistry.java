package dev.engram.engine;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * The {@link Migration} steps an application knows, by codec id and the version each step reads.
 * Lookups are lock-free and safe from any thread; registration is copy-on-write (rare: at start-up).
 */
public final class MigrationRegistry
{
    private volatile Int2ObjectHashMap<Migration> steps = new Int2ObjectHashMap<>();

    /**
     * @param migration a step.
     * @return this.
     * @throws IllegalStateException if a step from the same version of the same codec is registered.
     */
    public synchronized MigrationRegistry register(final Migration migration)
    {
        if (migration == null)
        {
            throw new IllegalArgumentException("migration must not be null");
        }
        final int key = key(migration.codecId(), migration.fromVersion());
        final Migration existing = steps.get(key);
        if (existing != null)
        {
            throw new IllegalStateException("a migration for codecId=" + migration.codecId() + " fromVersion=" +
                migration.fromVersion() + " is already registered");
        }
        final Int2ObjectHashMap<Migration> copy = new Int2ObjectHashMap<>(steps);
        copy.put(key, migration);
        steps = copy;
        return this;
    }

    /**
     * @param codecId     the codec.
     * @param fromVersion the version the step reads.
     * @return the step, or null if none is registered.
     */
    public Migration migration(final int codecId, final int fromVersion)
    {
        return steps.get(key(codecId, fromVersion));
    }

    private static int key(final int codecId, final int fromVersion)
    {
        return (codecId << 16) | (fromVersion & 0xFFFF);
    }
}
