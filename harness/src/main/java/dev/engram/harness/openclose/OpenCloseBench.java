package dev.engram.harness.openclose;

import dev.engram.harness.recovery.ChildProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./engram bench open-close [--state 256m] [--value 1024] [--chain 8] [--reps 3] [--dir D]}: builds a state
 * (a full checkpoint plus deltas, so the after-open snapshot-index check has a key index to open), then in fresh
 * JVMs, {@code --reps} times each: opens it and closes it at once (the after-open checks are still running), opens
 * and closes it again in the same JVM; opens it and closes it once the journal's queue (opened in the background) is
 * open; and opens a brand-new directory and closes it. Prints one line per run and
 * the medians; children's output is under {@code <dir>/logs}.
 */
public final class OpenCloseBench
{
    private OpenCloseBench()
    {
    }

    public static void run(final String[] args) throws Exception
    {
        long stateBytes = 256L << 20;
        int valueLength = 1024;
        int chain = 8;
        int reps = 3;
        Path dir = Path.of("target/open-close");
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--state" -> stateBytes = parseSize(args[++i]);
                case "--value" -> valueLength = Integer.parseInt(args[++i]);
                case "--chain" -> chain = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown flag: " + args[i] +
                    " (--state 256m, --value 1024, --chain 8, --reps 3, --dir D)");
            }
        }
        final Path logs = dir.resolve("logs");
        final Path state = dir.resolve("state");
        final List<String> jvm = List.of("-Xmx2g", "-XX:+UseParallelGC");
        if (!Files.exists(state))
        {
            final int keys = (int)Math.max(1, stateBytes / valueLength);
            System.out.println("building " + keys + " keys x " + valueLength + " B, chain " + chain + " in " + state);
            System.out.println(ChildProcess.runToRecord("build", logs, OpenCloseChild.class, jvm,
                List.of("build", state.toString(), Integer.toString(keys), Integer.toString(valueLength),
                    Integer.toString(chain)), "built"));
        }
        final List<Double> open = new ArrayList<>();
        final List<Double> close = new ArrayList<>();
        final List<Double> reopen = new ArrayList<>();
        final List<Double> closeQueued = new ArrayList<>();
        final List<Double> closeBounded = new ArrayList<>();
        final List<Double> releasedBounded = new ArrayList<>();
        final List<Double> newOpen = new ArrayList<>();
        final List<Double> newClose = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++)
        {
            final Map<String, String> existing = ChildProcess.runToRecord("reopen-" + rep, logs, OpenCloseChild.class, jvm,
                List.of("reopen", state.toString()), "measured");
            System.out.println("existing state: " + existing);
            open.add(Double.parseDouble(existing.get("openMs")));
            close.add(Double.parseDouble(existing.get("closeMs")));
            reopen.add(Double.parseDouble(existing.get("reopenMs")));
            final Map<String, String> queued = ChildProcess.runToRecord("reopen-queue-" + rep, logs, OpenCloseChild.class, jvm,
                List.of("reopen-queue", state.toString()), "measured");
            System.out.println("existing state, close once the queue is open: " + queued);
            closeQueued.add(Double.parseDouble(queued.get("closeMs")));
            final Map<String, String> bounded = ChildProcess.runToRecord("reopen-bounded-" + rep, logs,
                OpenCloseChild.class, jvm, List.of("reopen-bounded", state.toString()), "measured");
            System.out.println("existing state, closeJournalWaitMs(0): " + bounded);
            closeBounded.add(Double.parseDouble(bounded.get("closeMs")));
            releasedBounded.add(Double.parseDouble(bounded.get("releasedAfterMs")));
            final Path fresh = dir.resolve("new-" + rep + "-" + System.nanoTime());
            final Map<String, String> created = ChildProcess.runToRecord("new-" + rep, logs, OpenCloseChild.class, jvm,
                List.of("new", fresh.toString()), "measured");
            System.out.println("new directory:  " + created);
            newOpen.add(Double.parseDouble(created.get("openMs")));
            newClose.add(Double.parseDouble(created.get("closeMs")));
        }
        System.out.printf("medians (ms, %d fresh JVMs each): existing state open %.0f, close right after open %.0f, " +
            "reopen in the same JVM %.0f, close once the journal's queue is open %.0f; with closeJournalWaitMs(0): " +
            "close right after open %.0f (directory released %.0f after open); new directory open %.0f, close %.0f%n",
            reps, median(open), median(close), median(reopen), median(closeQueued), median(closeBounded),
            median(releasedBounded), median(newOpen), median(newClose));
    }

    private static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long parseSize(final String text)
    {
        final String lower = text.toLowerCase(java.util.Locale.ROOT);
        final char unit = lower.charAt(lower.length() - 1);
        final long multiplier = unit == 'k' ? 1L << 10 : unit == 'm' ? 1L << 20 : unit == 'g' ? 1L << 30 : 1;
        return Long.parseLong(multiplier == 1 ? lower : lower.substring(0, lower.length() - 1)) * multiplier;
    }
}
