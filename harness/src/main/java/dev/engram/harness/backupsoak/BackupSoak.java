package dev.engram.harness.backupsoak;

import dev.engram.backup.Backups;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import dev.engram.harness.Main;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code ./engram backup-soak [--cycles 50] [--dir D] [--seed S]} (issue 16): each cycle runs one of four operations
 * ({@link SoakOperation}: a live backup while a producer appends, continuous shipping while it appends, a prune, a
 * restore) in a child JVM, again and again, and kills it with SIGKILL right after a random (seeded) one of its
 * storage calls; then {@link SoakCheck} checks the repository, the backups, a point-in-time restore, the killed
 * child's restore targets, the store, and that the next backup succeeds. The operations come in seeded shuffles of
 * all four, so every four cycles run each once. After the last cycle every backup listed is restored and compared.
 * Counts per operation; the first failure stops the soak and keeps its directory.
 */
public final class BackupSoak
{
    /** How long the parent waits for the child's next line before it calls the child stuck. */
    private static final long LINE_TIMEOUT_SECONDS = 180;

    private final Path root;
    private final long seed;
    private final Path repo;
    private final Path store;
    private final Path work;
    private int killCap = Integer.MAX_VALUE;

    /**
     * Caps the operations' {@link SoakOperation#maxEvents} (the bounded test: a kill within a few storage calls keeps
     * each cycle short on a loaded machine).
     *
     * @return this
     */
    public BackupSoak capKillPoint(final int calls)
    {
        this.killCap = calls;
        return this;
    }

    public BackupSoak(final Path root, final long seed)
    {
        this.root = root;
        this.seed = seed;
        this.repo = root.resolve("repo");
        this.store = root.resolve("store");
        this.work = root.resolve("work");
    }

    /** Counts of one operation over the soak. */
    public static final class OperationCounts
    {
        int cycles;
        int kills;
        int killsMidOperation;
        int finished;
        int wrongRestores;
        int corruptRepositories;

        public int cycles()
        {
            return cycles;
        }

        public int kills()
        {
            return kills;
        }

        public int killsMidOperation()
        {
            return killsMidOperation;
        }

        public int wrongRestores()
        {
            return wrongRestores;
        }

        public int corruptRepositories()
        {
            return corruptRepositories;
        }
    }

    /** The outcome of a soak. */
    public record Summary(long seed, int cyclesRun, Map<SoakOperation, OperationCounts> counts, SoakCheck.Outcome totals,
        int finalRestores, String failure, Path kept, double seconds)
    {
        public boolean passed()
        {
            return failure == null;
        }

        public OperationCounts of(final String operation)
        {
            return counts.get(SoakOperation.of(operation));
        }

        public String describe()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format("backup-soak seed=%d: %d cycles in %.1f s%n", seed, cyclesRun, seconds));
            sb.append(String.format("%-9s %7s %6s %7s %9s %15s %21s%n", "operation", "cycles", "kills", "mid-op",
                "finished", "wrong restores", "corrupt repositories"));
            int wrong = 0;
            int corrupt = 0;
            for (final Map.Entry<SoakOperation, OperationCounts> e : counts.entrySet())
            {
                final OperationCounts c = e.getValue();
                sb.append(String.format("%-9s %7d %6d %7d %9d %15d %21d%n", e.getKey().label, c.cycles, c.kills,
                    c.killsMidOperation, c.finished, c.wrongRestores, c.corruptRepositories));
                wrong += c.wrongRestores;
                corrupt += c.corruptRepositories;
            }
            sb.append(String.format("%-9s %7d %6d %7d %9d %15d %21d%n", "total", cyclesRun,
                counts.values().stream().mapToInt(c -> c.kills).sum(),
                counts.values().stream().mapToInt(c -> c.killsMidOperation).sum(),
                counts.values().stream().mapToInt(c -> c.finished).sum(), wrong, corrupt));
            sb.append(String.format("restores compared with the model: %d (by id, %d of them in the final pass over " +
                    "every backup listed), point in time %d, resumed backups %d, resumed prunes %d, killed restores' targets: %d " +
                    "complete and right, %d absent%n", totals.restoresCompared, finalRestores,
                totals.pointInTimeRestores, totals.resumedBackups, totals.resumedPrunes, totals.childTargetsComplete,
                totals.childTargetsAbsent));
            sb.append(String.format("left by kills (harmless): %d temp files in the repository at the end, over the cycles %d stale " +
                    "locks, %d .restoring- directories, %d packs without index object (rebuilt)%n", totals.tempFiles,
                totals.staleLocks, totals.restoringDirs, totals.rebuiltIndexNotes));
            sb.append(String.format("at the end: %d backups listed, store at version %d%n", totals.backupsListed,
                totals.storeVersion));
            sb.append(passed() ? "PASSED" : "FAILED: " + failure + (kept == null ? "" : " (kept in " + kept + ")"));
            return sb.toString();
        }
    }

    /** Runs the soak; {@code progress} gets a line per cycle. */
    public Summary run(final int cycles, final Consumer<String> progress) throws Exception
    {
        final long start = System.nanoTime();
        Files.createDirectories(work);
        final Random random = new Random(seed);
        final Map<SoakOperation, OperationCounts> counts = new EnumMap<>(SoakOperation.class);
        for (final SoakOperation op : SoakOperation.values())
        {
            counts.put(op, new OperationCounts());
        }
        final SoakCheck check = new SoakCheck(repo, store, work, new Random(random.nextLong()));
        seed(check);
        final List<SoakOperation> order = new ArrayList<>();
        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            if (order.isEmpty())
            {
                order.addAll(List.of(SoakOperation.values()));
                Collections.shuffle(order, random);
            }
            final SoakOperation op = order.remove(0);
            final int killAfter = 1 + random.nextInt(Math.min(killCap, op.maxEvents));
            final long childSeed = random.nextLong();
            final OperationCounts c = counts.get(op);
            c.cycles++;
            final long cycleStart = System.nanoTime();
            final Killed killed = runChild(op, killAfter, childSeed, check);
            if (killed.failure != null)
            {
                return new Summary(seed, cycle, counts, check.totals(), 0, "cycle " + cycle + " (" + op.label + "): " +
                    killed.failure, root, seconds(start));
            }
            c.kills++;
            c.killsMidOperation += killed.midOperation ? 1 : 0;
            c.finished += killed.finished;
            final SoakCheck.Outcome o = check.afterKill(killed.restoreTargets, op == SoakOperation.PRUNE);
            c.wrongRestores += o.wrongRestores.size();
            c.corruptRepositories += o.corrupt.isEmpty() ? 0 : 1;
            progress.accept(String.format("cycle %d: %s killed after %d of its calls (%s, %d finished before), " +
                    "verify ok=%s, %d backups listed, %d restores compared, point in time %d, store at %d, " +
                    "next backup %s (%.1f s)", cycle, op.label, killAfter,
                killed.midOperation ? "mid-operation" : "between operations", killed.finished, o.corrupt.isEmpty(),
                o.backupsListed, o.restoresCompared, o.pointInTimeRestores, o.storeVersion,
                o.resumedBackups == 1 ? "ok" : "FAILED", seconds(cycleStart)));
            if (!o.passed())
            {
                return new Summary(seed, cycle, counts, check.totals(), 0, "cycle " + cycle + " (" + op.label + "): " +
                    o.firstProblem(), root, seconds(start));
            }
        }
        final SoakCheck.Outcome last = check.restoreAll();
        if (!last.passed())
        {
            return new Summary(seed, cycles, counts, check.totals(), last.restoresCompared,
                "final pass: " + last.firstProblem(), root, seconds(start));
        }
        progress.accept("final pass: every backup listed (" + last.backupsListed + ") restored and compared");
        SoakCheck.deleteTree(root);
        return new Summary(seed, cycles, counts, check.totals(), last.restoresCompared, null, null, seconds(start));
    }

    /** The store's first versions and a first backup, so that every operation has something to work on. */
    private void seed(final SoakCheck check) throws IOException
    {
        try (Engram engram = Engram.open(store, SoakWorkload.context());
             Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSoakChild.SETTINGS))
        {
            for (long v = engram.lastAppendedVersion() + 1; v <= 1_000; v++)
            {
                SoakWorkload.append(engram, v);
            }
            final var result = backups.backup(engram);
            check.announced(result.backup().id(), result.backup().stateVersion());
        }
    }

    /** What a killed child did. */
    private static final class Killed
    {
        String failure;
        boolean midOperation;
        int finished;
        final Map<Path, Long> restoreTargets = new LinkedHashMap<>();
    }

    private Killed runChild(final SoakOperation op, final int killAfter, final long childSeed, final SoakCheck check)
        throws IOException, InterruptedException
    {
        final Killed killed = new Killed();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (ChildJvm child = ChildJvm.builder(Main.class).name("backup-soak-" + op.label)
            .args(BackupSoakChild.COMMAND, op.label, repo, store, work, childSeed)
            .jvmArg("-Xmx512m")
            .stdout(root.resolve("child.out")).stderr(root.resolve("child.err"))
            .onStdout(new StdoutListener()
            {
                @Override
                public void line(final String line)
                {
                    lines.add(line);
                }

                @Override
                public void end(final IOException failure)
                {
                    lines.add("<end>");
                }
            })
            .start())
        {
            int events = 0;
            while (events < killAfter)
            {
                final String line = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (line == null || line.equals("<end>") || line.startsWith("producer-failed"))
                {
                    killed.failure = (line == null ? "the child printed nothing for " + LINE_TIMEOUT_SECONDS + " s" :
                        line.equals("<end>") ? "the child ended by itself" : line) + ": " + child.stderrTail();
                    return killed;
                }
                events += op.counts(line) ? 1 : 0;
                read(op, line, killed, check);
            }
            final int exit = child.killHard(60, TimeUnit.SECONDS);
            if (exit != ChildJvm.SIGKILL_EXIT_VALUE)
            {
                killed.failure = "child exit " + exit + ", not SIGKILL: " + child.stderrTail();
                return killed;
            }
            // what the child printed before it died, after the line that triggered the kill
            for (String line = lines.poll(); line != null; line = lines.poll())
            {
                if (!line.equals("<end>"))
                {
                    read(op, line, killed, check);
                }
            }
        }
        return killed;
    }

    private static void read(final SoakOperation op, final String line, final Killed killed, final SoakCheck check)
    {
        final String[] parts = line.split(" ");
        if (line.startsWith("begin "))
        {
            killed.midOperation = true;
            if (line.startsWith("begin restore "))
            {
                killed.restoreTargets.put(Path.of(parts[2]), Long.parseLong(parts[3]));
            }
        }
        else if (line.startsWith("end "))
        {
            killed.midOperation = false;
            killed.finished += line.startsWith("end " + op.label) ? 1 : 0;
            if (line.startsWith("end backup "))
            {
                check.announced(Long.parseLong(parts[2]), Long.parseLong(parts[3]));
            }
        }
        else if (op == SoakOperation.SHIP && line.startsWith("put locks/"))
        {
            killed.midOperation = true;       // a shipped backup holds the shared lock from start to end
        }
        else if (op == SoakOperation.SHIP && line.startsWith("delete locks/"))
        {
            killed.midOperation = false;
            killed.finished++;
        }
    }

    private static double seconds(final long start)
    {
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code backup-soak [--cycles N] [--dir D] [--seed S]}; exit 1 on any failure. */
    public static void main(final String[] args) throws Exception
    {
        int cycles = 50;
        long seed = System.nanoTime();
        Path dir = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--help", "-h" ->
                {
                    System.out.println("usage: ./engram backup-soak [--cycles 50] [--dir D] [--seed S] (docs/backup.md)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown backup-soak option: " + args[i] +
                    " (use --cycles N --dir D --seed S)");
            }
        }
        if (cycles < 1)
        {
            throw new IllegalArgumentException("--cycles must be at least 1: " + cycles);
        }
        final Path root = dir != null ? dir : Files.createTempDirectory("engram-backup-soak");
        if (Files.exists(root))
        {
            try (var entries = Files.list(root))
            {
                if (entries.findAny().isPresent())
                {
                    throw new IllegalArgumentException("backup-soak needs an empty or new directory: " + root +
                        " holds files");
                }
            }
        }
        System.out.printf("backup-soak: %d cycles, seed=%d, dir=%s%n", cycles, seed, root);
        final Summary summary = new BackupSoak(root, seed).run(cycles, System.out::println);
        System.out.println(summary.describe());
        if (!summary.passed())
        {
            System.exit(1);
        }
    }
}
