package dev.engram.harness.replica;

import dev.engram.harness.replica.HistoryChecker.Kind;
import dev.engram.harness.replica.HistoryChecker.NodeState;
import dev.engram.harness.replica.HistoryChecker.Violation;
import dev.engram.harness.replica.SoakHistory.VersionContent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker itself: a right history passes, and each kind of fabricated violation is reported. */
class HistoryCheckerTest
{
    private static final List<String> NODES = List.of("n0", "n1", "n2");

    /** Writes w/a.1/0/1..n acknowledged at versions 1..n, every node holding them. */
    private static SoakHistory clean(final int n)
    {
        return history(n, (node, v) -> content(key(v)));
    }

    /** Writes acknowledged at versions 1..n; each node holds {@code held(node, version)} there (null: nothing). */
    private static SoakHistory history(final int n, final BiFunction<String, Long, VersionContent> held)
    {
        final SoakHistory history = new SoakHistory();
        for (long v = 1; v <= n; v++)
        {
            final String key = key(v);
            history.sent("n0", key);
            history.acknowledged("n0", key, v);
            for (final String node : NODES)
            {
                final VersionContent content = held.apply(node, v);
                if (content != null)
                {
                    history.observe(node, v, content);
                }
            }
        }
        return history;
    }

    private static String key(final long v)
    {
        return SoakWrite.key("n0.1", 0, v);
    }

    private static VersionContent content(final String key)
    {
        return new VersionContent(key, SoakWrite.digest(key));
    }

    private static Set<Kind> kinds(final List<Violation> violations)
    {
        return violations.stream().map(Violation::kind).collect(Collectors.toSet());
    }

    @Test
    void aRightHistoryPasses()
    {
        final SoakHistory history = clean(10);
        // an unknown write that is nowhere, a failed one nowhere, an unknown one that made it (version 11)
        history.sent("n1", "w/n1.2/0/0");
        history.failed("n1", "w/n1.2/0/0", true, "timeout");
        history.sent("n1", "w/n1.2/0/1");
        history.failed("n1", "w/n1.2/0/1", false, "not leader");
        history.sent("n1", "w/n1.2/0/2");
        NODES.forEach(node -> history.observe(node, 11, content("w/n1.2/0/2")));
        assertEquals(List.of(), HistoryChecker.check(history.view(), 11, false));
        assertEquals(List.of(), HistoryChecker.check(history.view(), 11, true));
        assertEquals(List.of(), HistoryChecker.check(history.view(), 5, false));
    }

    @Test
    void aLostAcknowledgedVersionIsReported()
    {
        final SoakHistory history = new SoakHistory();
        for (int v = 1; v <= 5; v++)
        {
            history.acknowledged("n0", key(v), v);
            for (final String node : NODES)
            {
                if (!(node.equals("n2") && v >= 3))
                {
                    history.observe(node, v, content(key(v)));
                }
            }
        }
        // n2 lost 3..5: each acknowledged version is reported, and the node's gap
        final List<Violation> violations = HistoryChecker.check(history.view(), 5, false);
        assertEquals(Set.of(Kind.LOST, Kind.GAP), kinds(violations), violations.toString());
        assertEquals(3, violations.stream().filter(v -> v.kind() == Kind.LOST).count(), violations.toString());
        assertTrue(violations.toString().contains("write " + key(3) + " was acknowledged at version 3 but node n2 " +
            "holds nothing there"), violations.toString());

        // a version acknowledged past the group's last one, once the soak is complete
        final SoakHistory past = clean(4);
        past.acknowledged("n1", "w/n1.7/0/0", 9);
        assertEquals(List.of(), HistoryChecker.check(past.view(), 4, false));
        final List<Violation> complete = HistoryChecker.check(past.view(), 4, true);
        assertEquals(Set.of(Kind.LOST), kinds(complete), complete.toString());

        // the acknowledged write's version holds another write on every node
        final SoakHistory other = clean(4);
        other.sent("n1", "w/n1.7/0/0");
        other.acknowledged("n1", "w/n1.7/0/0", 3);
        final List<Violation> replaced = HistoryChecker.check(other.view(), 4, false);
        assertTrue(kinds(replaced).contains(Kind.LOST), replaced.toString());
        assertEquals(3, replaced.stream().filter(v -> v.kind() == Kind.LOST).count(), replaced.toString());
    }

    @Test
    void nodesDisagreeingAtAVersionAreReported()
    {
        final SoakHistory history = history(6, (node, v) -> node.equals("n1") && v == 4 ? new VersionContent(key(4), 42) :
            content(key(v)));
        final List<Violation> violations = HistoryChecker.check(history.view(), 6, false);
        assertTrue(kinds(violations).contains(Kind.DISAGREEMENT), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.kind() == Kind.DISAGREEMENT &&
            v.message().startsWith("version 4: node n0 holds " + key(4))), violations.toString());
        // the acknowledged write's content is not on n1: that is also a lost write
        assertEquals(Set.of(Kind.DISAGREEMENT, Kind.LOST), kinds(violations), violations.toString());

        // a journal that changed a version between two reads
        final SoakHistory changed = clean(3);
        changed.reobserve("n2", 2, content(key(2)));
        changed.reobserve("n2", 3, content(key(2)));
        final List<Violation> change = HistoryChecker.check(changed.view(), 3, false);
        assertEquals(List.of(new Violation(Kind.DISAGREEMENT, "node n2's journal held " + key(3) + " (digest " +
            Long.toHexString(SoakWrite.digest(key(3))) + ") at version 3 when first read, and " + key(2) + " (digest " +
            Long.toHexString(SoakWrite.digest(key(2))) + ") when read again")), change);
    }

    @Test
    void versionsAJournalNoLongerHeldAreNotGapsButStillCompared()
    {
        // n2's journal was replaced by a snapshot install starting at version 5: 1..4 were gone when it was read
        final SoakHistory history = history(8, (node, v) -> node.equals("n2") && v < 5 ? null : content(key(v)));
        history.unreadable("n2", 1, 4);
        assertEquals(List.of(), HistoryChecker.check(history.view(), 8, true));
        assertEquals(4, history.view().unreadableCount("n2"));
        assertEquals(0, HistoryChecker.uncompared(history.view(), 8));
        // without the record of the replaced journal, the same history is a gap and lost writes on n2
        final SoakHistory lacking = history(8, (node, v) -> node.equals("n2") && v < 5 ? null : content(key(v)));
        assertEquals(Set.of(Kind.GAP, Kind.LOST), kinds(HistoryChecker.check(lacking.view(), 8, false)));
        // a version no journal held when read cannot be compared, and is counted
        final SoakHistory gone = history(4, (node, v) -> v == 2 ? null : content(key(v)));
        NODES.forEach(node -> gone.unreadable(node, 2, 2));
        assertEquals(List.of(), HistoryChecker.check(gone.view(), 4, false));
        assertEquals(1, HistoryChecker.uncompared(gone.view(), 4));
    }

    @Test
    void aVersionGivenTwiceIsReported()
    {
        final SoakHistory history = clean(6);
        history.sent("n1", "w/n1.9/1/0");
        history.acknowledged("n1", "w/n1.9/1/0", 4);
        final List<Violation> violations = HistoryChecker.check(history.view(), 6, false);
        assertTrue(violations.stream().anyMatch(v -> v.kind() == Kind.DUPLICATE_VERSION &&
            v.message().equals("version 4 was acknowledged to 2 writes: [" + key(4) + ", w/n1.9/1/0]")),
            violations.toString());
        // and the second one is not what the nodes hold there
        assertEquals(Set.of(Kind.DUPLICATE_VERSION, Kind.LOST), kinds(violations), violations.toString());

        final SoakHistory repeated = clean(3);
        repeated.observe("n2", 2, content(key(2)));
        final List<Violation> repeat = HistoryChecker.check(repeated.view(), 3, false);
        assertEquals(Set.of(Kind.DUPLICATE_VERSION), kinds(repeat), repeat.toString());
    }

    @Test
    void gapsFailedWritesAppliedWritesAppliedTwiceAndUnsentWritesAreReported()
    {
        final SoakHistory gap = history(5, (node, v) -> node.equals("n0") && v == 3 ? null : content(key(v)));
        final List<Violation> gaps = HistoryChecker.check(gap.view(), 5, false);
        assertTrue(gaps.toString().contains("GAP: node n0 lacks versions 3..3"), gaps.toString());

        final SoakHistory failed = clean(3);
        failed.sent("n1", "w/n1.3/0/0");
        failed.failed("n1", "w/n1.3/0/0", false, "not leader");
        NODES.forEach(node -> failed.observe(node, 4, content("w/n1.3/0/0")));
        assertEquals(Set.of(Kind.FAILED_BUT_APPLIED), kinds(HistoryChecker.check(failed.view(), 4, false)));

        final SoakHistory twice = clean(3);
        NODES.forEach(node -> twice.observe(node, 4, content(key(2))));
        final List<Violation> applied = HistoryChecker.check(twice.view(), 4, false);
        assertEquals(Set.of(Kind.APPLIED_TWICE), kinds(applied), applied.toString());

        final SoakHistory unsent = clean(3);
        NODES.forEach(node -> unsent.observe(node, 4, content("w/x.1/0/0")));
        assertEquals(List.of(), HistoryChecker.check(unsent.view(), 4, false));
        assertEquals(Set.of(Kind.NOT_WRITTEN), kinds(HistoryChecker.check(unsent.view(), 4, true)));
        NODES.forEach(node -> unsent.observe(node, 5, new VersionContent("", 7)));
        assertTrue(kinds(HistoryChecker.check(unsent.view(), 5, false)).contains(Kind.NOT_WRITTEN));
    }

    @Test
    void enginesThatEndDifferentlyAreReported()
    {
        final SoakHistory history = clean(3);
        final TreeMap<String, Long> state = new TreeMap<>();
        for (int v = 1; v <= 3; v++)
        {
            state.put(key(v), HistoryChecker.valueDigest(SoakWrite.value(key(v))));
        }
        final NodeState a = new NodeState("n0", 3, state);
        assertEquals(List.of(), HistoryChecker.checkStates(List.of(a, new NodeState("n1", 3, new TreeMap<>(state))), 3,
            history.view()));

        final TreeMap<String, Long> lacking = new TreeMap<>(state);
        lacking.remove(key(2));
        final List<Violation> violations = HistoryChecker.checkStates(List.of(a, new NodeState("n1", 2, lacking)), 3,
            history.view());
        assertEquals(Set.of(Kind.STATE_DIFFERS, Kind.LOST), kinds(violations), violations.toString());
        assertTrue(violations.toString().contains("node n1's Engram ends at version 2, the group's last is 3"));
        assertTrue(violations.toString().contains("node n1's Engram lacks the value of acknowledged write " + key(2)));
    }
}
