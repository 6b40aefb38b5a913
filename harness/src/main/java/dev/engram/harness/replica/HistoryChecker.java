package dev.engram.harness.replica;

import dev.engram.harness.replica.SoakHistory.Outcome;
import dev.engram.harness.replica.SoakHistory.VersionContent;
import dev.engram.harness.replica.SoakHistory.Write;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replica soak's history checker. Given what the clients saw ({@link SoakHistory}: each write acknowledged with
 * its version, failed, or unknown) and what each node's journal holds at each version, it reports every violation of
 * what a replicated Engram promises (docs/replication.md, "Versions", "Failover and fencing"):
 * <ul>
 *   <li>{@link Kind#LOST}: an acknowledged write is not on a node at its version with its exact content (or, once
 *       the soak is complete, its version is past the group's last);</li>
 *   <li>{@link Kind#DISAGREEMENT}: two nodes hold different content at the same version, a version's content
 *       is not what its client wrote, or a node's journal changed a version between two reads;</li>
 *   <li>{@link Kind#DUPLICATE_VERSION}: two acknowledged writes got the same version, or a node's journal holds a
 *       version twice;</li>
 *   <li>{@link Kind#GAP}: versions are not dense: a node lacks a version up to the checked one;</li>
 *   <li>{@link Kind#APPLIED_TWICE}: one write is at two versions;</li>
 *   <li>{@link Kind#FAILED_BUT_APPLIED}: a write refused before it reached the log ({@code mayHaveCommitted}
 *       false) is at a version;</li>
 *   <li>{@link Kind#NOT_WRITTEN}: a version holds something no client sent;</li>
 *   <li>{@link Kind#STATE_DIFFERS}: the nodes' Engrams, each opened on its own, end at other versions or hold
 *       other states ({@link #checkStates}).</li>
 * </ul>
 * Versions a node's journal no longer held when it was read (it starts after them: a snapshot install replaced it)
 * are not compared on that node; a version that changed between two reads of a journal is a disagreement.
 * Writes whose outcome is unknown (failed after they may have reached the log, or in flight when their node was
 * killed or frozen) may be at one version or nowhere.
 */
public final class HistoryChecker
{
    /** The kinds of violation. */
    public enum Kind
    {
        LOST, DISAGREEMENT, DUPLICATE_VERSION, GAP, APPLIED_TWICE, FAILED_BUT_APPLIED, NOT_WRITTEN, STATE_DIFFERS
    }

    /** One violation: its kind and what was found, with versions, keys and nodes. */
    public record Violation(Kind kind, String message)
    {
        @Override
        public String toString()
        {
            return kind + ": " + message;
        }
    }

    /** A node's Engram opened on its own at the end: its last version and each key's value digest. */
    public record NodeState(String node, long lastVersion, SortedMap<String, Long> valueDigests)
    {
    }

    private HistoryChecker()
    {
    }

    /**
     * Check versions 1..{@code upTo} (every node has applied them).
     *
     * @param complete true once every client is done and every line read: a write nobody sent is then a violation
     *                 ({@link Kind#NOT_WRITTEN}), and so is an acknowledged version past {@code upTo}.
     * @return the violations, none if the history is right.
     */
    public static List<Violation> check(final SoakHistory.View history, final long upTo, final boolean complete)
    {
        final List<Violation> violations = new ArrayList<>();
        final Map<Long, List<String>> ackedAt = new TreeMap<>();
        for (final Write write : history.writes().values())
        {
            if (write.outcome() == Outcome.ACKNOWLEDGED)
            {
                ackedAt.computeIfAbsent(write.version(), v -> new ArrayList<>()).add(write.key());
            }
        }
        ackedAt.forEach((version, keys) ->
        {
            if (keys.size() > 1)
            {
                violations.add(new Violation(Kind.DUPLICATE_VERSION, "version " + version + " was acknowledged to " +
                    keys.size() + " writes: " + keys));
            }
        });
        history.repeats().forEach(r -> violations.add(new Violation(Kind.DUPLICATE_VERSION, "node " + r.node() +
            "'s journal holds version " + r.version() + " twice (the second time: " + r.content().key() + ")")));

        history.changes().forEach(c -> violations.add(new Violation(Kind.DISAGREEMENT, "node " + c.node() +
            "'s journal held " + describe(c.before()) + " at version " + c.version() + " when first read, and " +
            describe(c.after()) + " when read again")));
        final Map<String, NavigableMap<Long, VersionContent>> nodes = history.nodes();
        for (final Map.Entry<String, NavigableMap<Long, VersionContent>> node : nodes.entrySet())
        {
            gaps(node.getKey(), node.getValue(), history, upTo, violations);
        }
        final Map<String, Long> keyVersion = new HashMap<>();
        for (long version = 1; version <= upTo; version++)
        {
            VersionContent first = null;
            String firstNode = null;
            for (final Map.Entry<String, NavigableMap<Long, VersionContent>> node : nodes.entrySet())
            {
                final VersionContent content = node.getValue().get(version);
                if (content == null)
                {
                    continue;
                }
                if (first == null)
                {
                    first = content;
                    firstNode = node.getKey();
                }
                else if (!first.equals(content))
                {
                    violations.add(new Violation(Kind.DISAGREEMENT, "version " + version + ": node " + firstNode +
                        " holds " + describe(first) + ", node " + node.getKey() + " holds " + describe(content)));
                }
            }
            if (first == null)
            {
                // on no node: a gap of each node that should hold it (reported above); gone from every journal before
                // it was read, it cannot be compared (see uncompared)
                continue;
            }
            written(version, first, history.writes(), complete, keyVersion, violations);
        }

        for (final Map.Entry<Long, List<String>> acked : ackedAt.entrySet())
        {
            final long version = acked.getKey();
            for (final String key : acked.getValue())
            {
                if (version > upTo)
                {
                    if (complete)
                    {
                        violations.add(new Violation(Kind.LOST, "write " + key + " was acknowledged at version " +
                            version + ", past the group's last version " + upTo));
                    }
                    continue;
                }
                final VersionContent expected = new VersionContent(key, SoakWrite.digest(key));
                for (final Map.Entry<String, NavigableMap<Long, VersionContent>> node : nodes.entrySet())
                {
                    if (history.unreadable(node.getKey(), version))
                    {
                        continue; // the node's journal no longer held it when read: its state is checked at the end
                    }
                    final VersionContent held = node.getValue().get(version);
                    if (!expected.equals(held))
                    {
                        violations.add(new Violation(Kind.LOST, "write " + key + " was acknowledged at version " +
                            version + " but node " + node.getKey() + " holds " + (held == null ? "nothing" :
                            describe(held)) + " there"));
                    }
                }
            }
        }
        return violations;
    }

    /**
     * The nodes' Engrams, each opened on its own once the group stopped: the same last version ({@code last}, the
     * group's), the same keys and values, and every acknowledged write's value.
     */
    public static List<Violation> checkStates(final List<NodeState> states, final long last,
        final SoakHistory.View history)
    {
        final List<Violation> violations = new ArrayList<>();
        for (final NodeState state : states)
        {
            if (state.lastVersion() != last)
            {
                violations.add(new Violation(Kind.STATE_DIFFERS, "node " + state.node() + "'s Engram ends at version " +
                    state.lastVersion() + ", the group's last is " + last));
            }
            int missing = 0;
            for (final Write write : history.writes().values())
            {
                if (write.outcome() == Outcome.ACKNOWLEDGED &&
                    !Objects.equals(state.valueDigests().get(write.key()), valueDigest(SoakWrite.value(write.key()))))
                {
                    if (missing++ < 10)
                    {
                        violations.add(new Violation(Kind.LOST, "node " + state.node() + "'s Engram lacks the value of " +
                            "acknowledged write " + write.key() + " (version " + write.version() + ")"));
                    }
                }
            }
            if (missing > 10)
            {
                violations.add(new Violation(Kind.LOST, "node " + state.node() + "'s Engram lacks " + (missing - 10) +
                    " more acknowledged values"));
            }
        }
        for (int i = 1; i < states.size(); i++)
        {
            final NodeState a = states.get(0);
            final NodeState b = states.get(i);
            if (!a.valueDigests().equals(b.valueDigests()))
            {
                violations.add(new Violation(Kind.STATE_DIFFERS, "nodes " + a.node() + " and " + b.node() +
                    " hold different states: " + firstDifference(a.valueDigests(), b.valueDigests())));
            }
        }
        return violations;
    }

    /** @return the digest {@link NodeState} keeps of a value. */
    public static long valueDigest(final byte[] value)
    {
        final SoakWrite.Digest digest = new SoakWrite.Digest();
        digest.op(dev.engram.journal.OpType.PUT, "", 0, value);
        return digest.value();
    }

    private static void gaps(final String node, final NavigableMap<Long, VersionContent> versions,
        final SoakHistory.View history, final long upTo, final List<Violation> violations)
    {
        long missingFrom = 0;
        for (long version = 1; version <= upTo + 1; version++)
        {
            final boolean missing = version <= upTo && !versions.containsKey(version) &&
                !history.unreadable(node, version);
            if (missing && missingFrom == 0)
            {
                missingFrom = version;
            }
            else if (!missing && missingFrom != 0)
            {
                violations.add(new Violation(Kind.GAP, "node " + node + " lacks versions " + missingFrom + ".." +
                    (version - 1)));
                missingFrom = 0;
            }
        }
    }

    /**
     * @return how many of versions 1..{@code upTo} no node's journal held when it was read (they could not be
     * compared; their acknowledged writes are still checked in the Engrams' states at the end).
     */
    public static long uncompared(final SoakHistory.View history, final long upTo)
    {
        long count = 0;
        for (long version = 1; version <= upTo; version++)
        {
            final long v = version;
            if (history.nodes().values().stream().noneMatch(versions -> versions.containsKey(v)))
            {
                count++;
            }
        }
        return count;
    }

    private static void written(final long version, final VersionContent content, final Map<String, Write> writes,
        final boolean complete, final Map<String, Long> keyVersion, final List<Violation> violations)
    {
        if (content.key().isEmpty())
        {
            violations.add(new Violation(Kind.NOT_WRITTEN, "version " + version + " holds no client write"));
            return;
        }
        final Long before = keyVersion.putIfAbsent(content.key(), version);
        if (before != null)
        {
            violations.add(new Violation(Kind.APPLIED_TWICE, "write " + content.key() + " is at versions " + before +
                " and " + version));
        }
        final Write write = writes.get(content.key());
        if (write == null)
        {
            if (complete)
            {
                violations.add(new Violation(Kind.NOT_WRITTEN, "version " + version + " holds " + content.key() +
                    ", which no client sent"));
            }
        }
        else if (write.outcome() == Outcome.FAILED)
        {
            violations.add(new Violation(Kind.FAILED_BUT_APPLIED, "write " + content.key() + " failed as never " +
                "proposed (" + write.detail() + ") but is at version " + version));
        }
        else if (content.digest() != SoakWrite.digest(content.key()))
        {
            violations.add(new Violation(Kind.DISAGREEMENT, "version " + version + " holds " + content.key() +
                " with other content than its client wrote"));
        }
    }

    private static String describe(final VersionContent content)
    {
        return (content.key().isEmpty() ? "(no client write)" : content.key()) + " (digest " +
            Long.toHexString(content.digest()) + ")";
    }

    private static String firstDifference(final SortedMap<String, Long> a, final SortedMap<String, Long> b)
    {
        final TreeMap<String, String> differences = new TreeMap<>();
        for (final Map.Entry<String, Long> e : a.entrySet())
        {
            if (!e.getValue().equals(b.get(e.getKey())))
            {
                differences.put(e.getKey(), b.containsKey(e.getKey()) ? "other value" : "only on the first");
            }
        }
        for (final String key : b.keySet())
        {
            if (!a.containsKey(key))
            {
                differences.put(key, "only on the second");
            }
        }
        return differences.size() + " key(s) differ, first " + differences.firstEntry();
    }
}
