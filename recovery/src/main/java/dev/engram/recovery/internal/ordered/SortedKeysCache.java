package dev.engram.recovery.internal.ordered;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link SortedKeys} of the chains a store has read in order, by chain identity (each file's path, id, state
 * version, creation time and Merkle root), shared by the live store and its {@code stateAt} snapshots, which map
 * the same files anew: a chain one file longer than a cached one (a new delta checkpoint, a history anchor on top)
 * is derived from it in one linear merge; any other chain is built from its files. Holds the
 * {@link #MAX_CHAINS} chains used last (each costs its keys' bytes plus 4 bytes a key on the heap).
 */
public final class SortedKeysCache
{
    /** Chains kept. */
    public static final int MAX_CHAINS = 4;

    private final Map<String, SortedKeys> byChain = new LinkedHashMap<>(16, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, SortedKeys> eldest)
        {
            return size() > MAX_CHAINS;
        }
    };
    private long builds;
    private long extensions;

    /**
     * @param baseFirst the chain's files, the full checkpoint first.
     * @return its live keys in order (cached, derived from a cached prefix of it, or built).
     */
    public synchronized SortedKeys keysOf(final List<MappedCheckpoint> baseFirst)
    {
        final List<String> prefixes = new ArrayList<>(baseFirst.size());
        final StringBuilder identity = new StringBuilder();
        for (final MappedCheckpoint file : baseFirst)
        {
            final CheckpointInfo info = file.info();
            identity.append('|').append(file.file()).append('#').append(info.checkpointId()).append('@')
                .append(info.stateVersion()).append('/').append(info.createdEpochMs()).append('/').append(info.merkleRootHex());
            prefixes.add(identity.toString());
        }
        int cached = prefixes.size() - 1;
        while (cached >= 0 && !byChain.containsKey(prefixes.get(cached)))
        {
            cached--;
        }
        if (cached < 0)
        {
            final SortedKeys built = ChainKeys.build(baseFirst);
            builds++;
            byChain.put(prefixes.get(prefixes.size() - 1), built);
            return built;
        }
        SortedKeys keys = byChain.get(prefixes.get(cached));
        for (int i = cached + 1; i < baseFirst.size(); i++)
        {
            keys = ChainKeys.extend(keys, baseFirst.get(i));
            extensions++;
        }
        byChain.put(prefixes.get(prefixes.size() - 1), keys);
        return keys;
    }

    /**
     * @return chains built from all their files so far (tests).
     */
    public synchronized long builds()
    {
        return builds;
    }

    /**
     * @return files merged into a cached chain's keys so far (tests).
     */
    public synchronized long extensions()
    {
        return extensions;
    }
}
