package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one {@link FaultCase}: copies its pristine store, damages one file, opens the copy and classifies what the store
 * did ({@link FaultOutcome}). After a successful open every key is read and compared with the model at the recovered
 * version, the checks that run after ready are awaited, the tags are read, one more delta is appended and a checkpoint
 * taken (a store that reads but silently cannot write, or cannot checkpoint, is not a recovery), and every key is read
 * again. An open refused as a journal loss is retried with {@link StateContext#acceptJournalLoss(boolean)}: the accepted
 * open must report the loss and serve the right data.
 */
final class FaultInjector
{
    private static final long WAIT_S = 60;
    /**
     * Counted apart until 2026-12-07 (a refusal that left only Chronicle's metadata.cq4t changed); a refused open now
     * puts the file back ({@code Journal.closeRefusedOpen}), so such a refusal is a BAD_ERROR like any other change.
     */
    static final String METADATA_TOUCHED = "(known issue: the refused open left journal/metadata.cq4t changed by Chronicle) ";
    static final String CHANGED = "the refused open changed the directory: files changed ";

    private final FaultFixture fixture;
    private final Path work;

    FaultInjector(final FaultFixture fixture, final Path work)
    {
        this.fixture = fixture;
        this.work = work;
    }

    /** What one case came to. */
    record Result(FaultCase fault, FaultOutcome outcome, String damage, String detail)
    {
        String describe()
        {
            return fault.describe() + "\n  damage: " + damage + "\n  outcome: " + outcome + "\n  " + detail.replace("\n", "\n  ");
        }
    }

    Result run(final FaultCase fault)
    {
        final Path pristine = switch (fault.base())
        {
            case CLEAN -> fixture.clean;
            case CRASH -> fixture.crash;
            case OLDER -> fixture.older;
            case BRIDGE -> fixture.bridge;
        };
        final long acknowledged = switch (fault.base())
        {
            case OLDER -> FaultFixture.OLDER_VERSION;
            case BRIDGE -> FaultFixture.BRIDGE_VERSION;   // written to the bridge before the crash
            default -> FaultFixture.LAST_VERSION;
        };
        final Path dir = work.resolve("case-" + fault.id());
        deleteTree(dir);
        FaultFixture.copyTree(pristine, dir);
        try
        {
            final Random random = new Random(fault.randomSeed());
            final Path target = fault.kind().pick(dir, random);
            if (target == null)
            {
                return new Result(fault, FaultOutcome.NOT_APPLICABLE, "no " + fault.kind() + " file", "");
            }
            final Path source = fault.damage().swapSource(fault.kind(), target, dir, fixture);
            final String damage = fault.damage().apply(target, source, random);
            if (damage == null)
            {
                return new Result(fault, FaultOutcome.NOT_APPLICABLE, fault.damage() + " does not apply to " + target, "");
            }
            final Classified first = openAndClassify(context(dir, fault), target, acknowledged);
            if (first.outcome == FaultOutcome.CLEAR_REFUSAL && first.refusal instanceof JournalLossRefusedException)
            {
                final Classified accepted = openAndClassify(context(dir, fault).acceptJournalLoss(true), target, acknowledged);
                final String detail = first.detail + "\nreopened with acceptJournalLoss(true): " + accepted.outcome + "\n" +
                    accepted.detail;
                if (accepted.outcome == FaultOutcome.BAD_ERROR && accepted.detail.startsWith(CHANGED))
                {
                    // the refused accepted open changed files: what does the next plain open make of them?
                    final Classified next = openAndClassify(context(dir, fault), target, acknowledged);
                    final String all = detail + "\nthen reopened without acceptJournalLoss: " + next.outcome + "\n" + next.detail;
                    return new Result(fault, next.outcome.fails && next.outcome != FaultOutcome.BAD_ERROR ? next.outcome :
                        FaultOutcome.BAD_ERROR, damage, all);
                }
                return new Result(fault, accepted.outcome.fails ? accepted.outcome : FaultOutcome.CLEAR_REFUSAL, damage, detail);
            }
            return new Result(fault, first.outcome, damage, first.detail);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            deleteTree(dir);
        }
    }

    private StateContext context(final Path dir, final FaultCase fault)
    {
        return fixture.context(dir).fastRecovery(!fault.fullPath()).verifyBlocksOnOpen(fault.verifyBlocks());
    }

    private record Classified(FaultOutcome outcome, String detail, RuntimeException refusal)
    {
    }

    private static boolean isEngineException(final Throwable t)
    {
        return t instanceof RecoveryException || t instanceof JournalException || t instanceof CheckpointException ||
            t instanceof TagFileException;
    }

    /** Whether an engine exception's message names the damaged file or the directory it is in. */
    private static boolean namesFile(final Throwable t, final Path target)
    {
        final String message = String.valueOf(t.getMessage());
        return message.contains(target.getFileName().toString()) || message.contains(target.getParent().toString());
    }

    /** Whether a failure after open names the damaged file or the store's directory (every file in it names that). */
    private boolean namesStore(final Throwable t, final Path target)
    {
        final String message = String.valueOf(t.getMessage());
        return message.contains(target.getFileName().toString()) || message.contains(work.toString());
    }

    /** A failure after open is clear when it, or its cause ("state store failed: ..."), is the engine's and names the store. */
    private boolean clearAfterOpen(final Throwable t, final Path target)
    {
        return (isEngineException(t) || t.getCause() != null && isEngineException(t.getCause())) && namesStore(t, target);
    }

    private Classified openAndClassify(final StateContext ctx, final Path target, final long acknowledged)
    {
        final StateStore store;
        final Map<String, String> before = contents(ctx.directory());
        try
        {
            store = StateStore.open(ctx);
        }
        catch (final Throwable t)
        {
            if (isEngineException(t) && namesFile(t, target))
            {
                final Map<String, String> after = contents(ctx.directory());
                if (!after.equals(before))
                {
                    final java.util.Set<String> changed = new java.util.TreeSet<>(before.keySet());
                    changed.addAll(after.keySet());
                    changed.removeIf(name -> java.util.Objects.equals(before.get(name), after.get(name)));
                    return new Classified(FaultOutcome.BAD_ERROR, CHANGED + changed + "\nrefusal: " + t,
                        null);
                }
                return new Classified(FaultOutcome.CLEAR_REFUSAL, "open refused: " + t, (RuntimeException)t);
            }
            return new Classified(FaultOutcome.BAD_ERROR, "open threw " + (isEngineException(t) ?
                "an engine exception naming neither " + target.getFileName() + " nor " + target.getParent() + ": " : "") +
                stackTrace(t), null);
        }
        final List<String> reported = new ArrayList<>();
        final RecoveryReport report = store.recoveryReport();
        final long recovered = report.recoveredVersion();
        final boolean lossReported = !report.rejected().isEmpty() || !report.journalLosses().isEmpty() ||
            report.tornFramesTrimmed() > 0;
        if (lossReported)
        {
            reported.add("report: rejected=" + report.rejected() + " journalLosses=" + report.journalLosses() +
                " tornFramesTrimmed=" + report.tornFramesTrimmed());
        }
        String bad;
        try
        {
            bad = checkOpened(store, target, recovered, reported);
        }
        catch (final RuntimeException | Error ex)
        {
            bad = "BAD: checking the opened store threw " + stackTrace(ex);
        }
        try
        {
            store.close();
        }
        catch (final Throwable t)
        {
            if (bad == null && !(isEngineException(t) && namesFile(t, target)))
            {
                bad = "BAD: close threw " + stackTrace(t);
            }
            reported.add("close refused: " + t.getMessage());
        }
        if (bad != null)
        {
            final FaultOutcome outcome = bad.startsWith("WRONG") ? FaultOutcome.WRONG_DATA :
                bad.startsWith("LOSS") ? FaultOutcome.UNREPORTED_LOSS : FaultOutcome.BAD_ERROR;
            return new Classified(outcome, bad + "\n" + String.join("\n", reported) + "\n" + report.describe(), null);
        }
        if (recovered < acknowledged && !lossReported)
        {
            return new Classified(FaultOutcome.UNREPORTED_LOSS, "recovered version " + recovered + " < acknowledged " +
                acknowledged + " and the report names no loss\n" + report.describe(), null);
        }
        if (recovered < acknowledged || !reported.isEmpty())
        {
            return new Classified(FaultOutcome.REPORTED_FALLBACK, "recovered version " + recovered + " (acknowledged " +
                acknowledged + ")\n" + String.join("\n", reported) + "\n" + report.describe(), null);
        }
        return new Classified(FaultOutcome.OK, "", null);
    }

    /**
     * @return null when the opened store behaved, else "WRONG ...", "LOSS ..." or "BAD ..." saying what went wrong.
     */
    private String checkOpened(final StateStore store, final Path target, final long recovered, final List<String> reported)
    {
        if (store.appliedVersion() != recovered)
        {
            return "BAD: appliedVersion()=" + store.appliedVersion() + " but the report says " + recovered;
        }
        for (final var check : List.of(store.merkleRootCheck(), store.snapshotIndexCheck()))
        {
            try
            {
                final Object result = check.get(WAIT_S, TimeUnit.SECONDS);
                if (result instanceof SnapshotIndexReport index && index.rebuilt())
                {
                    reported.add("snapshot index rebuilt: " + index.description());
                }
            }
            catch (final ExecutionException ex)
            {
                if (!(clearAfterOpen(ex.getCause(), target)))
                {
                    return "BAD: an after-ready check failed without naming a file: " + stackTrace(ex.getCause());
                }
                reported.add("after-ready check failed: " + ex.getCause().getMessage());
            }
            catch (final InterruptedException | TimeoutException ex)
            {
                return "BAD: an after-ready check did not complete in " + WAIT_S + " s";
            }
        }
        String bad = readAll(store, target, recovered, reported, "after open");
        if (bad != null)
        {
            return bad;
        }
        bad = checkTags(store, target, reported);
        if (bad != null)
        {
            return bad;
        }
        // the store must also write: one more delta (the workload's next version), then a checkpoint
        final long next = recovered + 1;
        try
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            final long assigned = journal.append(FaultFixture.WORKLOAD.fill(next, delta));
            if (assigned != next)
            {
                return "BAD: the append after open got version " + assigned + ", expected " + next;
            }
            if (!store.awaitApplied(next, WAIT_S, TimeUnit.SECONDS))
            {
                return "BAD: the append after open (version " + next + ") was not applied in " + WAIT_S + " s: the store " +
                    "reads but cannot write; applierStalledReason=" + store.applierStalledReason();
            }
        }
        catch (final RuntimeException ex)
        {
            if (!(clearAfterOpen(ex, target)))
            {
                return "BAD: the append after open threw " + stackTrace(ex);
            }
            reported.add("append after open refused: " + ex.getMessage());
            return null;
        }
        try
        {
            store.checkpoint();
        }
        catch (final RuntimeException ex)
        {
            if (!(clearAfterOpen(ex, target)))
            {
                return "BAD: the checkpoint after open threw " + stackTrace(ex);
            }
            reported.add("checkpoint after open failed: " + ex.getMessage());
        }
        if (!store.damagedFiles().isEmpty() || !store.repairs().isEmpty())
        {
            reported.add("damagedFiles=" + store.damagedFiles() + " repairs=" + store.repairs());
        }
        return readAll(store, target, next, reported, "after one append and a checkpoint");
    }

    private String readAll(final StateStore store, final Path target, final long version, final List<String> reported, final String when)
    {
        final Map<String, byte[]> model = fixture.model(version);
        int refused = 0;
        String firstRefusal = null;
        final StateReader opened;
        try
        {
            opened = store.newReader();
        }
        catch (final RuntimeException ex)
        {
            if (clearAfterOpen(ex, target))
            {
                reported.add("reads refused " + when + ": " + ex.getMessage());
                return null;
            }
            return "BAD: newReader() " + when + " threw " + stackTrace(ex);
        }
        try (StateReader reader = opened)
        {
            for (final String key : SeededWorkload.keyUniverse())
            {
                final byte[] value;
                try
                {
                    value = reader.get(key);
                }
                catch (final CheckpointCorruptionException ex)
                {
                    if (!ex.getMessage().contains(".ckp"))
                    {
                        return "BAD: a read of key=" + key + " was refused without naming the file: " + ex;
                    }
                    refused++;
                    firstRefusal = firstRefusal == null ? ex.getMessage() : firstRefusal;
                    continue;
                }
                catch (final RuntimeException ex)
                {
                    if (clearAfterOpen(ex, target))
                    {
                        reported.add("reads refused " + when + ": " + ex.getMessage());
                        return null;
                    }
                    return "BAD: reading key=" + key + " " + when + " threw " + stackTrace(ex);
                }
                if (!Arrays.equals(model.get(key), value))
                {
                    return "WRONG DATA " + when + ": key=" + key + " at version " + version + ": expected " +
                        summary(model.get(key)) + ", served " + summary(value);
                }
            }
        }
        if (refused > 0)
        {
            reported.add(refused + " reads refused " + when + ", e.g. " + firstRefusal);
        }
        return null;
    }

    private String checkTags(final StateStore store, final Path target, final List<String> reported)
    {
        try
        {
            final SortedMap<String, Long> tags = store.tags();
            final SortedMap<String, Long> expected = new TreeMap<>(Map.of(FaultFixture.TAG, FaultFixture.TAG_VERSION));
            if (!tags.equals(expected))
            {
                return "LOSS of tags, unreported: tags()=" + tags + ", expected " + expected;
            }
        }
        catch (final TagFileException ex)
        {
            if (!namesFile(ex, target))
            {
                return "BAD: tags() refused without naming " + target + ": " + ex;
            }
            reported.add("tags() refused: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            if (clearAfterOpen(ex, target))
            {
                reported.add("tags() refused: " + ex.getMessage());
                return null;
            }
            return "BAD: tags() threw " + stackTrace(ex);
        }
        return null;
    }

    /** Every file in the directory but the OS lock files: relative path → length and content hash. */
    static Map<String, String> contents(final Path dir)
    {
        final Map<String, String> files = new TreeMap<>();
        try (var walk = Files.walk(dir))
        {
            for (final Path file : walk.filter(Files::isRegularFile).toList())
            {
                if (!file.getFileName().toString().endsWith(".lock"))
                {
                    files.put(dir.relativize(file).toString(), Files.size(file) + ":" + Arrays.hashCode(Files.readAllBytes(file)));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    private static String summary(final byte[] value)
    {
        return value == null ? "absent" : value.length + " bytes, hash " + Arrays.hashCode(value);
    }

    static String stackTrace(final Throwable t)
    {
        final StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        final String[] lines = out.toString().split("\n");
        return String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 25)));
    }

    static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
