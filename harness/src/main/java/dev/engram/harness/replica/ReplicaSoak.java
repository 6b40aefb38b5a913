package dev.engram.harness.replica;

import dev.engram.engine.Engram;
import dev.engram.harness.CommandLineValues;
import dev.engram.harness.Main;
import dev.engram.harness.replica.HistoryChecker.NodeState;
import dev.engram.harness.replica.HistoryChecker.Violation;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code ./engram replica-soak}: the leader-kill soak of a replica group (docs/replication.md, "Soak"). Three nodes
 * ({@link ReplicaSoakNode}) in three child JVMs on 127.0.0.1, their clients writing continuously while their node
 * leads. Each cycle: writes for a while; the leader is killed with SIGKILL (every {@code freezeEvery}-th cycle frozen
 * with SIGSTOP instead); a new leader must acknowledge a write (the failover time: kill to that acknowledgement, as
 * the soak receives it); more writes; the killed node restarts on its directory (the frozen one is woken with
 * SIGCONT and must learn it was deposed) and catches up; then the {@link HistoryChecker} checks every version all
 * nodes applied, read from their journals. At the end the writers stop, the nodes close, every journal is read
 * again from its start and checked as complete, and each node's Engram, opened on its own, must hold the same state
 * with every acknowledged write.
 */
public final class ReplicaSoak
{
    /** What to run. */
    public record Config(int cycles, double secondsPerCycle, int freezeEvery, int writersPerNode, long waitSeconds,
        Path root, boolean keep)
    {
        public Config
        {
            if (cycles < 1 || secondsPerCycle < 0 || freezeEvery < 0 || writersPerNode < 1 || waitSeconds < 1)
            {
                throw new IllegalArgumentException("replica-soak: bad settings: --cycles " + cycles +
                    " --seconds-per-cycle " + secondsPerCycle + " --freeze-every " + freezeEvery + " --writers " +
                    writersPerNode + " (cycles and writers at least 1, the rest at least 0)");
            }
        }
    }

    /** The outcome of a soak. */
    public record Summary(int cycles, int kills, int freezes, List<Long> failoverMs, List<Long> catchUpMs,
        List<Long> jvmStartMs, List<Long> openMs, Map<SoakHistory.Outcome, Long> outcomes, long unknownAtAVersion,
        long lastVersion, Map<String, Long> unreadable, long uncompared, List<Violation> violations, String failure,
        Path directory)
    {
        /** @return true if the soak ran to its end and the checker found nothing. */
        public boolean passed()
        {
            return failure == null && violations.isEmpty();
        }

        public String describe()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format("replica-soak: %d cycle(s): %d leader(s) killed (SIGKILL), %d frozen (SIGSTOP, " +
                "SIGCONT)%n", cycles, kills, freezes));
            sb.append(String.format("writes: %d acknowledged, %d failed (never proposed), %d unknown (may have " +
                "committed, or in flight at a kill: %d of them ended at a version); last version %d%n",
                outcomes.get(SoakHistory.Outcome.ACKNOWLEDGED), outcomes.get(SoakHistory.Outcome.FAILED),
                outcomes.get(SoakHistory.Outcome.UNKNOWN) + outcomes.get(SoakHistory.Outcome.PENDING), unknownAtAVersion,
                lastVersion));
            sb.append("failover (kill or freeze -> first write acknowledged by the new leader): ")
                .append(distribution(failoverMs)).append('\n');
            sb.append("catch-up (restart or SIGCONT -> the node holds every version acknowledged before): ")
                .append(distribution(catchUpMs)).append('\n');
            sb.append("  of which, for a killed node: its new JVM running main ").append(distribution(jvmStartMs))
                .append("; ReplicatedEngram.open ").append(distribution(openMs)).append('\n');
            sb.append("versions compared across nodes: ").append(lastVersion - uncompared).append(" of ").append(lastVersion)
                .append("; versions a node's journal no longer held when read (a snapshot install): ").append(unreadable)
                .append('\n');
            if (!violations.isEmpty())
            {
                sb.append(violations.size()).append(" checker violation(s):\n");
                violations.stream().limit(30).forEach(v -> sb.append("  ").append(v).append('\n'));
            }
            if (failure != null)
            {
                sb.append("the soak did not complete: ").append(failure).append('\n');
            }
            sb.append(passed() ? "PASSED" : "FAILED" + (directory == null ? "" : " (nodes' directories and logs kept in " +
                directory + ")"));
            return sb.toString();
        }
    }

    /** @return {@code n=.. p50=.. p99=.. max=..} in ms (nearest rank). */
    static String distribution(final List<Long> millis)
    {
        if (millis.isEmpty())
        {
            return "none";
        }
        final List<Long> sorted = millis.stream().sorted().toList();
        return String.format("n=%d min=%d ms p50=%d ms p90=%d ms p99=%d ms max=%d ms", sorted.size(), sorted.get(0),
            percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    static long percentile(final List<Long> sorted, final double p)
    {
        final int rank = (int)Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** The soak could not go on (a wait timed out, a node died by itself). */
    private static final class SoakFailure extends Exception
    {
        private static final long serialVersionUID = 1L;

        SoakFailure(final String message)
        {
            super(message);
        }
    }

    /** One node: its settings and its current process, with what it last reported. */
    private final class Node
    {
        final String id;
        final Path directory;
        ChildJvm child;
        volatile boolean frozen;
        volatile boolean idle;
        volatile long replicated;
        volatile boolean leader;
        volatile long term;
        volatile long lastAckNanos;
        volatile long openedNanos;
        volatile long startedNanos;
        int starts;

        Node(final String id)
        {
            this.id = id;
            this.directory = config.root().resolve(id);
        }

        void start() throws IOException
        {
            replicated = 0;
            openedNanos = 0;
            startedNanos = 0;
            leader = false;
            idle = false;
            term = 0;
            starts++;
            final List<String> args = new ArrayList<>(List.of(ReplicaSoakNode.COMMAND, groupId.toString(), id,
                directory.toString(), control.toString(), Integer.toString(config.writersPerNode())));
            peers.forEach((peer, address) -> args.add(peer + "=" + address));
            child = ChildJvm.builder(Main.class)
                .name(id)
                .jvmArg("-Xmx256m")
                .args(args)
                .logs(config.root().resolve("logs"), id + "-" + starts)
                .onStdout(new StdoutListener()
                {
                    @Override
                    public void line(final String line)
                    {
                        onLine(Node.this, line);
                    }
                })
                .start();
        }

        boolean running()
        {
            return child != null && child.isAlive();
        }
    }

    private final Config config;
    private final UUID groupId = UUID.randomUUID();
    private final Map<String, String> peers = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final SoakHistory history = new SoakHistory();
    private final AtomicLong acks = new AtomicLong();
    /** When a node other than {@link #watchExcept} first acknowledged a write after {@link #watchSince} (0: not yet). */
    private final AtomicLong firstAckOfNewLeader = new AtomicLong(-1);
    private volatile Node watchExcept;
    private volatile long watchSince = Long.MAX_VALUE;
    private final Path control;

    public ReplicaSoak(final Config config)
    {
        this.config = config;
        this.control = config.root().resolve("control");
    }

    /**
     * Run the soak; {@code progress} gets a line per cycle.
     */
    public Summary run(final Consumer<String> progress) throws IOException, InterruptedException
    {
        Files.createDirectories(control);
        for (final String id : List.of("n0", "n1", "n2"))
        {
            peers.put(id, "127.0.0.1:" + freePort());
            nodes.put(id, new Node(id));
            history.node(id);
        }
        final List<Long> failovers = new ArrayList<>();
        final List<Long> catchUps = new ArrayList<>();
        final List<Long> jvmStartMs = new ArrayList<>();
        final List<Long> openMs = new ArrayList<>();
        int kills = 0;
        int freezes = 0;
        int cycle = 0;
        List<Violation> violations = List.of();
        String failure = null;
        long last = 0;
        try
        {
            for (final Node node : nodes.values())
            {
                node.start();
            }
            for (cycle = 1; cycle <= config.cycles() && violations.isEmpty(); cycle++)
            {
                final long cycleStart = System.nanoTime();
                await("a leader acknowledging writes", () -> nodes.values().stream().anyMatch(n -> n.lastAckNanos > cycleStart));
                final long writeUntil = cycleStart + (long)(config.secondsPerCycle() * 1e9);
                await("the cycle's writing time", () -> System.nanoTime() >= writeUntil);
                final Node leader = leader();
                final boolean freeze = config.freezeEvery() > 0 && cycle % config.freezeEvery() == 0;
                final long termBefore = leader.term;
                final long stoppedAt = System.nanoTime();
                watchExcept = leader;
                watchSince = stoppedAt;
                firstAckOfNewLeader.set(0);
                if (freeze)
                {
                    signal(leader, "STOP");
                    leader.frozen = true;
                    freezes++;
                }
                else
                {
                    final int exit = leader.child.killHard(config.waitSeconds(), TimeUnit.SECONDS);
                    if (exit != ChildJvm.SIGKILL_EXIT_VALUE)
                    {
                        throw new SoakFailure("node " + leader.id + " exited with " + exit + ", not by SIGKILL");
                    }
                    kills++;
                }
                await("a write acknowledged by a new leader after " + leader.id + " was " + (freeze ? "frozen" : "killed"),
                    () -> firstAckOfNewLeader.get() != 0);
                final long failoverMs = TimeUnit.NANOSECONDS.toMillis(firstAckOfNewLeader.get() - stoppedAt);
                failovers.add(failoverMs);
                final long acksAfter = acks.get();
                await("20 more writes acknowledged by the new leader", () -> acks.get() >= acksAfter + 20);
                final long backAt = System.nanoTime();
                if (freeze)
                {
                    signal(leader, "CONT");
                    leader.frozen = false;
                }
                else
                {
                    leader.child.close();
                    leader.start();
                }
                final long target = history.maxAcknowledged();
                await("node " + leader.id + " holding version " + target, () -> leader.replicated >= target);
                catchUps.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - backAt));
                String opened = "";
                if (!freeze && leader.openedNanos != 0 && leader.startedNanos != 0)
                {
                    jvmStartMs.add(TimeUnit.NANOSECONDS.toMillis(leader.startedNanos - backAt));
                    openMs.add(TimeUnit.NANOSECONDS.toMillis(leader.openedNanos - leader.startedNanos));
                    opened = " (its JVM ran main after " + jvmStartMs.get(jvmStartMs.size() - 1) + " ms, open took " +
                        openMs.get(openMs.size() - 1) + " ms)";
                }
                if (freeze)
                {
                    await("node " + leader.id + ", woken, learning of a term after its " + termBefore,
                        () -> leader.term > termBefore);
                }
                final long upTo = nodes.values().stream().mapToLong(n -> n.replicated).min().orElseThrow();
                await("every node's journal holding version " + upTo, () -> journalsHold(upTo));
                violations = HistoryChecker.check(history.view(), upTo, false);
                progress.accept(String.format("cycle %d: %s %s (term %d); a new leader acknowledged a write %d ms " +
                        "later; %s back and caught up to version %d in %d ms%s; versions 1..%d checked on 3 nodes: %s",
                    cycle, freeze ? "froze (SIGSTOP)" : "killed (SIGKILL)", leader.id, termBefore, failoverMs,
                    leader.id, target, catchUps.get(catchUps.size() - 1), opened, upTo,
                    violations.isEmpty() ? "ok" : violations.size() + " violation(s)"));
            }
            cycle--;
            if (violations.isEmpty())
            {
                last = finish();
                violations = new ArrayList<>(HistoryChecker.check(history.view(), last, true));
                violations.addAll(HistoryChecker.checkStates(states(), last, history.view()));
            }
        }
        catch (final SoakFailure | RuntimeException e)
        {
            failure = "cycle " + cycle + ": " + (e instanceof SoakFailure ? e.getMessage() : e.toString());
        }
        finally
        {
            for (final Node node : nodes.values())
            {
                if (node.child != null)
                {
                    node.child.close();
                }
            }
        }
        final boolean passed = failure == null && violations.isEmpty();
        if (passed && !config.keep())
        {
            deleteRecursively(config.root());
        }
        final SoakHistory.View view = history.view();
        final Map<String, Long> unreadable = new TreeMap<>();
        nodes.keySet().forEach(id -> unreadable.put(id, view.unreadableCount(id)));
        return new Summary(cycle, kills, freezes, failovers, catchUps, jvmStartMs, openMs, history.outcomes(),
            unknownAtAVersion(view), last, unreadable, HistoryChecker.uncompared(view, last), violations, failure,
            passed ? null : config.root());
    }

    /** @return how many writes whose outcome their client did not learn are at a version on some node. */
    private static long unknownAtAVersion(final SoakHistory.View view)
    {
        final java.util.Set<String> held = new java.util.HashSet<>();
        view.nodes().values().forEach(versions -> versions.values().forEach(c -> held.add(c.key())));
        return view.writes().values().stream().filter(w -> (w.outcome() == SoakHistory.Outcome.UNKNOWN ||
            w.outcome() == SoakHistory.Outcome.PENDING) && held.contains(w.key())).count();
    }

    /**
     * Stop the writers, wait until every node holds the same last version, close the nodes, read the rest of their
     * journals and read them again from their start. @return the highest version a journal holds.
     */
    private long finish() throws IOException, InterruptedException, SoakFailure
    {
        Files.createFile(control.resolve("stop-writes"));
        await("every writer's last outcome", () -> nodes.values().stream().allMatch(n -> n.idle));
        final long acked = history.maxAcknowledged();
        await("every node holding the same last version (at least " + acked + ")", () ->
        {
            final long max = nodes.values().stream().mapToLong(n -> n.replicated).max().orElseThrow();
            return max >= acked && nodes.values().stream().allMatch(n -> n.replicated == max);
        });
        Files.createFile(control.resolve("exit"));
        for (final Node node : nodes.values())
        {
            node.child.awaitCleanExit(config.waitSeconds(), TimeUnit.SECONDS);
        }
        long last = 0;
        for (final Node node : nodes.values())
        {
            last = Math.max(last, NodeJournal.readUpTo(node.id, node.directory.resolve("engram"), Long.MAX_VALUE, history));
            NodeJournal.reread(node.id, node.directory.resolve("engram"), history);
        }
        return last;
    }

    /** Each node's Engram opened on its own (the nodes are closed): its last version and every key's value digest. */
    private List<NodeState> states()
    {
        final List<NodeState> states = new ArrayList<>();
        for (final Node node : nodes.values())
        {
            try (Engram engram = Engram.open(node.directory.resolve("engram"), ReplicaSoakNode.engramContext()))
            {
                final TreeMap<String, Long> values = new TreeMap<>();
                engram.forEach("", (key, value) -> values.put(key, HistoryChecker.valueDigest(value)));
                states.add(new NodeState(node.id, engram.lastAppendedVersion(), values));
            }
        }
        return states;
    }

    private void onLine(final Node node, final String line)
    {
        final String[] parts = line.split(" ", 3);
        switch (parts[0])
        {
            case "SEND" -> history.sent(node.id, parts[1]);
            case "ACK" ->
            {
                history.acknowledged(node.id, parts[1], Long.parseLong(parts[2]));
                final long now = System.nanoTime();
                node.lastAckNanos = now;
                acks.incrementAndGet();
                if (node != watchExcept && now > watchSince)
                {
                    firstAckOfNewLeader.compareAndSet(0, now);
                }
            }
            case "FAIL", "UNKNOWN" -> history.failed(node.id, parts[1], parts[0].equals("UNKNOWN"),
                parts.length > 2 ? parts[2] : "");
            case "AT" ->
            {
                final String[] at = line.split(" ");
                node.replicated = Long.parseLong(at[1]);
                node.leader = at[2].equals("1");
                node.term = Long.parseLong(at[3]);
            }
            case "IDLE" -> node.idle = true;
            case "OPEN" -> node.openedNanos = System.nanoTime();
            case "START" -> node.startedNanos = System.nanoTime();
            default ->
            {
            }
        }
    }

    /** @return the node that acknowledged the latest write (it leads: only a leader acknowledges). */
    private Node leader()
    {
        return nodes.values().stream().filter(n -> n.running() && !n.frozen)
            .max(Comparator.comparingLong(n -> n.lastAckNanos)).orElseThrow();
    }

    private boolean journalsHold(final long upTo)
    {
        boolean all = true;
        for (final Node node : nodes.values())
        {
            try
            {
                all &= NodeJournal.readUpTo(node.id, node.directory.resolve("engram"), upTo, history) >= upTo;
            }
            catch (final RuntimeException e)
            {
                all = false; // e.g. the node rebuilds its Engram from a snapshot right now: read it again
            }
        }
        return all;
    }

    private void await(final String what, final BooleanSupplier condition) throws InterruptedException, SoakFailure
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.waitSeconds());
        while (!condition.getAsBoolean())
        {
            for (final Node node : nodes.values())
            {
                if (node.child != null && !node.child.isAlive() && node.child.exitValue() != ChildJvm.SIGKILL_EXIT_VALUE &&
                    !node.idle)
                {
                    throw new SoakFailure("node " + node.id + " ended by itself while waiting for " + what + ": " +
                        node.child.describe());
                }
            }
            if (System.nanoTime() > deadline)
            {
                for (final Node node : nodes.values())
                {
                    if (node.running() && !node.frozen)
                    {
                        node.child.requestThreadDump(); // into the node's stdout log, for the diagnosis
                    }
                }
                throw new SoakFailure("timed out after " + config.waitSeconds() + " s waiting for " + what + "; nodes: " +
                    nodes.values().stream().map(n -> n.id + (n.running() ? "" : " (down)") + (n.frozen ? " (frozen)" : "") +
                        " at " + n.replicated + (n.leader ? " leader" : "") + " term " + n.term)
                        .collect(Collectors.joining(", ")) + "; logs (with a thread dump of each running node at the " +
                    "end of its .out) in " + config.root().resolve("logs"));
            }
            Thread.sleep(10);
        }
    }

    private static void signal(final Node node, final String signal) throws IOException, InterruptedException,
        SoakFailure
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.child.pid())).inheritIO().start();
        if (kill.waitFor() != 0)
        {
            throw new SoakFailure("kill -" + signal + " " + node.child.pid() + " (node " + node.id + ") failed");
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (var walk = Files.walk(path))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final UncheckedIOException e)
        {
            throw e.getCause();
        }
    }

    private static final String USAGE = """
        usage: ./engram replica-soak [--cycles N] [--seconds-per-cycle S] [--freeze-every K] [--writers W] [--wait S]
                                     [--dir D] [--keep]
          --cycles N             leader kills (default 100)
          --seconds-per-cycle S  writes before each kill (default 3)
          --freeze-every K       every K-th cycle freezes the leader (SIGSTOP, then SIGCONT) instead (default 4; 0: never)
          --writers W            client threads per node (default 2)
          --wait S               longest wait for any step, in seconds (default 90)
          --dir D                where the nodes live (default: a new temporary directory)
          --keep                 keep the directory of a passed soak (a failed one is always kept)
        exit 0: passed; 1: a checker violation; 2: the soak could not complete. See docs/replication.md ("Soak").""";

    /**
     * {@code replica-soak [--cycles N] [--seconds-per-cycle S] [--freeze-every K] [--writers W] [--wait S] [--dir D]
     * [--keep]}; exit 1 on a checker violation, 2 if the soak could not complete.
     */
    public static void main(final String[] args) throws Exception
    {
        int cycles = 100;
        double seconds = 3;
        int freezeEvery = 4;
        int writers = 2;
        long wait = 90;
        Path dir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--cycles" -> cycles = CommandLineValues.intCount(args[i],
                    CommandLineValues.value(args, ++i, "--cycles"));
                case "--seconds-per-cycle" -> seconds = CommandLineValues.number(args[i],
                    CommandLineValues.value(args, ++i, "--seconds-per-cycle"));
                case "--freeze-every" -> freezeEvery = CommandLineValues.intCount(args[i],
                    CommandLineValues.value(args, ++i, "--freeze-every"));
                case "--writers" -> writers = CommandLineValues.intCount(args[i],
                    CommandLineValues.value(args, ++i, "--writers"));
                case "--wait" -> wait = CommandLineValues.count(args[i],
                    CommandLineValues.value(args, ++i, "--wait"));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, "--dir"));
                case "--keep" -> keep = true;
                case "--help", "-h" ->
                {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown replica-soak option: " + args[i] + "\n" + USAGE);
            }
        }
        final Path root = dir != null ? dir : Files.createTempDirectory("engram-replica-soak");
        final Config config = new Config(cycles, seconds, freezeEvery, writers, wait, root, keep);
        System.out.printf("replica-soak: %d cycles, %.1f s of writes per cycle, every %s cycle a SIGSTOP instead of " +
                "a SIGKILL, %d writer(s) per node, waits up to %d s, dir=%s%n", cycles, seconds,
            freezeEvery == 0 ? "no" : ordinal(freezeEvery), writers, wait, root);
        final long start = System.nanoTime();
        final Summary summary = new ReplicaSoak(config).run(System.out::println);
        System.out.println(summary.describe());
        System.out.printf("took %.1f s%n", (System.nanoTime() - start) / 1e9);
        if (!summary.passed())
        {
            System.exit(summary.violations().isEmpty() ? 2 : 1);
        }
    }

    private static String ordinal(final int n)
    {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10)
        {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }
}
