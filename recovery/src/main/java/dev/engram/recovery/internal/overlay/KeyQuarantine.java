package dev.engram.recovery.internal.overlay;

import dev.engram.recovery.QuarantinedKey;
import dev.engram.recovery.StateStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's record of keys quarantined since it opened (during recovery's replay and by the applier): what
 * {@link StateStore#quarantinedKeys()} reports and the metric counts. A key keeps its latest entry; a later PUT or
 * DELETE ends the key's quarantine in the state but not its entry here (it is a record of what happened). At
 * most {@link #MAX_KEYS} keys are kept; {@link #count()} counts them all.
 */
public final class KeyQuarantine implements FrameQuarantine.Listener
{
    static final int MAX_KEYS = 10_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyQuarantine.class);

    private final ConcurrentHashMap<String, QuarantinedKey> byKey = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();

    @Override
    public void onQuarantined(final String key, final long version, final String reason)
    {
        final QuarantinedKey entry = new QuarantinedKey(key, version, reason);
        final QuarantinedKey previous = byKey.get(key);
        if (previous != null && previous.version() == version)
        {
            return;   // the same frame seen again (e.g. a recovery path retried)
        }
        final long n = count.incrementAndGet();
        if (n <= 100 || n % 1000 == 0)
        {
            LOG.warn("key '{}' quarantined ({} so far): {}", key, n, reason);
        }
        if (previous != null || byKey.size() < MAX_KEYS)
        {
            byKey.put(key, entry);
        }
    }

    /**
     * @return quarantine events (a key quarantined again by a later frame counts again).
     */
    public long count()
    {
        return count.get();
    }

    /**
     * @return the keys, oldest version first.
     */
    public List<QuarantinedKey> keys()
    {
        final List<QuarantinedKey> keys = new ArrayList<>(byKey.values());
        keys.sort(Comparator.comparingLong(QuarantinedKey::version).thenComparing(QuarantinedKey::key));
        return keys;
    }
}
