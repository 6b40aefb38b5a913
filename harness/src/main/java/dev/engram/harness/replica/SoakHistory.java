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

    /** A copy of a history, for the checker. */
    public record View(Map<String, Write> writes, Map<String, NavigableMap<Long, VersionContent>> nodes,
        List<Repeat> repeats)
    {
    }

    private final Map<String, Write> writes = new LinkedHashMap<>();
    private final Map<String, NavigableMap<Long, VersionContent>> nodes = new TreeMap<>();
    private final List<Repeat> repeats = new ArrayList<>();

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
    }

    /** Forget what was read of {@code node}'s journal (before reading it again from its start). */
    public synchronized void forgetJournal(final String node)
    {
        nodes.put(node, new TreeMap<>());
        repeats.removeIf(r -> r.node().equals(node));
    }

    /** @return the highest version read of {@code node}'s journal, 0 if none. */
    public synchronized long lastObserved(final String node)
    {
        final NavigableMap<Long, VersionContent> versions = nodes.get(node);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
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
        return new View(Collections.unmodifiableMap(new LinkedHashMap<>(writes)), Collections.unmodifiableMap(copy),
            List.copyOf(repeats));
    }
}
