package dev.engram.harness.replica;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What happened in a replica soak, as the {@link HistoryChecker} reads it: every write the clients sent and its
 * outcome, and, per node, what its journal holds at each version. Filled from the nodes' stdout (the clients) and
 * from reads of their journals; thread-safe; {@link #view()} is a copy to check.
 */
public final class SoakHistory
{
    /** A write's outcome as its client saw it. */
    public enum Outcome
    {
        /** sent, no answer yet (or never: its node was killed meanwhile) */
        PENDING,
        /** committed by a majority: acknowledged with its version */
        ACKNOWLEDGED,
        /** refused before it reached the Raft log: it must be nowhere */
        FAILED,
        /** failed after it may have reached the log: it may or may not be somewhere */
        UNKNOWN
    }

    /** One client write: its key (see {@link SoakWrite}), the node that sent it, its outcome and version. */
    public record Write(String key, String node, Outcome outcome, long version, String detail)
    {
    }

    /** What a node holds at a version: the soak write's key in it ("" if none) and the digest of its ops. */
    public record VersionContent(String key, long digest)
    {
    }

    /** A version a node's journal holds a second time, with the second content. */
    public record Repeat(String node, long version, VersionContent content)
    {
    }

    /** A version whose content a node's journal changed between two reads. */
    public record Change(String node, long version, VersionContent before, VersionContent after)
    {
    }

    /**
     * A copy of a history, for the checker. {@code unreadable}: per node, ranges of versions (first to last) its
     * journal no longer held when it was read (a snapshot install replaced it, or retention removed them).
     */
    public record View(Map<String, Write> writes, Map<String, NavigableMap<Long, VersionContent>> nodes,
        List<Repeat> repeats, Map<String, NavigableMap<Long, Long>> unreadable, List<Change> changes)
    {
        /** @return true if {@code node}'s journal no longer held {@code version} when it was read. */
        public boolean unreadable(final String node, final long version)
        {
            final NavigableMap<Long, Long> ranges = unreadable.get(node);
            final Map.Entry<Long, Long> range = ranges == null ? null : ranges.floorEntry(version);
            return range != null && range.getValue() >= version;
        }

        /** @return how many versions {@code node}'s journal no longer held when it was read. */
        public long unreadableCount(final String node)
        {
            final NavigableMap<Long, Long> ranges = unreadable.get(node);
            return ranges == null ? 0 : ranges.entrySet().stream().mapToLong(e -> e.getValue() - e.getKey() + 1).sum();
        }
    }

    private final Map<String, Write> writes = new LinkedHashMap<>();
    private final Map<String, NavigableMap<Long, VersionContent>> nodes = new TreeMap<>();
    private final List<Repeat> repeats = new ArrayList<>();
    private final Map<String, NavigableMap<Long, Long>> unreadable = new TreeMap<>();
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, Long> readThrough = new TreeMap<>();

    /** A client on {@code node} sends the write of {@code key}. */
    public synchronized void sent(final String node, final String key)
    {
        writes.putIfAbsent(key, new Write(key, node, Outcome.PENDING, 0, null));
    }

    /** The write of {@code key} was acknowledged as replicated with {@code version}. */
    public synchronized void acknowledged(final String node, final String key, final long version)
    {
        writes.put(key, new Write(key, node, Outcome.ACKNOWLEDGED, version, null));
    }

    /** The write of {@code key} failed: certainly not done ({@code mayHaveCommitted} false) or unknown. */
    public synchronized void failed(final String node, final String key, final boolean mayHaveCommitted,
        final String detail)
    {
        writes.put(key, new Write(key, node, mayHaveCommitted ? Outcome.UNKNOWN : Outcome.FAILED, 0, detail));
    }

    /** Declare {@code node} (so that a node whose journal holds nothing is checked too). */
    public synchronized void node(final String node)
    {
        nodes.computeIfAbsent(node, n -> new TreeMap<>());
    }

    /** {@code node}'s journal holds {@code content} at {@code version}. */
    public synchronized void observe(final String node, final long version, final VersionContent content)
    {
        final VersionContent before = nodes.computeIfAbsent(node, n -> new TreeMap<>()).putIfAbsent(version, content);
        if (before != null)
        {
            repeats.add(new Repeat(node, version, content));
        }
        readThrough.merge(node, version, Math::max);
    }

    /** {@code node}'s journal holds {@code content} at {@code version} when read again: it must not have changed. */
    public synchronized void reobserve(final String node, final long version, final VersionContent content)
    {
        final VersionContent before = nodes.computeIfAbsent(node, n -> new TreeMap<>()).get(version);
        if (before == null)
        {
            observe(node, version, content);
        }
        else if (!before.equals(content))
        {
            changes.add(new Change(node, version, before, content));
        }
    }

    /** {@code node}'s journal no longer holds versions {@code from..to} (it starts after them). */
    public synchronized void unreadable(final String node, final long from, final long to)
    {
        if (from <= to)
        {
            unreadable.computeIfAbsent(node, n -> new TreeMap<>()).put(from, to);
            readThrough.merge(node, to, Math::max);
        }
    }

    /** @return the highest version of {@code node}'s journal read (or found gone), 0 if none. */
    public synchronized long readThrough(final String node)
    {
        return readThrough.getOrDefault(node, 0L);
    }

    /** @return how many writes had each outcome. */
    public synchronized Map<Outcome, Long> outcomes()
    {
        final Map<Outcome, Long> counts = new LinkedHashMap<>();
        for (final Outcome outcome : Outcome.values())
        {
            counts.put(outcome, 0L);
        }
        writes.values().forEach(w -> counts.merge(w.outcome(), 1L, Long::sum));
        return counts;
    }

    /** @return the highest acknowledged version, 0 if none. */
    public synchronized long maxAcknowledged()
    {
        return writes.values().stream().mapToLong(Write::version).max().orElse(0);
    }

    /** @return a copy to check. */
    public synchronized View view()
    {
        final Map<String, NavigableMap<Long, VersionContent>> copy = new TreeMap<>();
        nodes.forEach((node, versions) -> copy.put(node, Collections.unmodifiableNavigableMap(new TreeMap<>(versions))));
        final Map<String, NavigableMap<Long, Long>> ranges = new TreeMap<>();
        unreadable.forEach((node, r) -> ranges.put(node, Collections.unmodifiableNavigableMap(new TreeMap<>(r))));
        return new View(Collections.unmodifiableMap(new LinkedHashMap<>(writes)), Collections.unmodifiableMap(copy),
            List.copyOf(repeats), Collections.unmodifiableMap(ranges), List.copyOf(changes));
    }
}
