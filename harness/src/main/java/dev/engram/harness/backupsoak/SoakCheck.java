package dev.engram.harness.backupsoak;

import dev.engram.backup.BackupInfo;
import dev.engram.backup.BackupResult;
import dev.engram.backup.Backups;
import dev.engram.backup.RepositoryLockInfo;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import dev.engram.backup.RetentionPolicy;
import dev.engram.backup.VerifyReport;
import dev.engram.backup.VersionRange;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the soak checks after each kill, on the repository, the store and the killed child's restore targets:
 * <ol>
 *   <li>{@code verify(readData = true)} finds no problem; an index note other than "a pack without its index object,
 *       rebuilt" (what a backup killed between the two, or a prune killed between deleting them, leaves) counts
 *       as a corrupt repository too;</li>
 *   <li>after a killed prune, the next prune (keeping every backup) succeeds;</li>
 *   <li>every backup listed that a finished operation announced has the state version it announced; backups
 *       not restored before are restored by id and compared with the model at their version, byte for byte (at most
 *       {@link #NEW_PER_CYCLE} of them per cycle: the newest and random others; the rest are covered by the
 *       read-data verify, and all are restored by {@link #restoreAll}), and one restored before is restored again;</li>
 *   <li>a point-in-time restore to a random version of a random backup's range equals the model at that version;</li>
 *   <li>each restore target the killed child began: absent, or complete and equal to the model at the version it
 *       asked for (leftover {@code .restoring-*} directories are counted, then deleted);</li>
 *   <li>the store opens with the model's state at its last version (the backups read it unharmed), and a backup of it
 *       (the next backup: it resumes after the kill) succeeds and restores to the model.</li>
 * </ol>
 * Left-overs a kill may leave and the engine documents as harmless are counted, never failed: temp files of
 * unfinished object writes, stale locks (the next backup or prune removes them), packs without index objects.
 */
final class SoakCheck
{
    /** New backups restored and compared per cycle (the others: read-data verify, and the final pass). */
    static final int NEW_PER_CYCLE = 3;

    private final Path repo;
    private final Path store;
    private final Path work;
    private final Random random;
    private final Set<Long> restored = new HashSet<>();
    private final Map<Long, Long> announced = new HashMap<>();
    private final Outcome totals = new Outcome();
    private int restoreNumber;

    SoakCheck(final Path repo, final Path store, final Path work, final Random random)
    {
        this.repo = repo;
        this.store = store;
        this.work = work;
        this.random = random;
    }

    /** What the checks found: problems (each a message) and counts. */
    static final class Outcome
    {
        final List<String> corrupt = new ArrayList<>();
        final List<String> wrongRestores = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        int restoresCompared;
        int pointInTimeRestores;
        int childTargetsComplete;
        int childTargetsAbsent;
        int resumedBackups;
        int resumedPrunes;
        int tempFiles;
        int staleLocks;
        int restoringDirs;
        int rebuiltIndexNotes;
        int backupsListed;
        long storeVersion;

        boolean passed()
        {
            return corrupt.isEmpty() && wrongRestores.isEmpty() && failures.isEmpty();
        }

        void add(final Outcome o)
        {
            corrupt.addAll(o.corrupt);
            wrongRestores.addAll(o.wrongRestores);
            failures.addAll(o.failures);
            restoresCompared += o.restoresCompared;
            pointInTimeRestores += o.pointInTimeRestores;
            childTargetsComplete += o.childTargetsComplete;
            childTargetsAbsent += o.childTargetsAbsent;
            resumedBackups += o.resumedBackups;
            tempFiles = o.tempFiles;
            resumedPrunes += o.resumedPrunes;
            staleLocks += o.staleLocks;
            restoringDirs += o.restoringDirs;
            rebuiltIndexNotes += o.rebuiltIndexNotes;
            backupsListed = o.backupsListed;
            storeVersion = o.storeVersion;
        }

        String firstProblem()
        {
            return !corrupt.isEmpty() ? "corrupt repository: " + corrupt.get(0) :
                !wrongRestores.isEmpty() ? "wrong restore: " + wrongRestores.get(0) :
                failures.isEmpty() ? null : failures.get(0);
        }
    }

    Outcome totals()
    {
        return totals;
    }

    /** Records the state version a finished backup announced (checked against the listing). */
    void announced(final long backupId, final long stateVersion)
    {
        announced.put(backupId, stateVersion);
    }

    /**
     * The checks after a kill; {@code childTargets}: the restore targets the child began, with the version asked;
     * {@code prune}: the killed operation was a prune, so the next prune (keeping every backup: it deletes only what
     * the killed one left unreferenced) must succeed first, and the restores then check what it left.
     */
    Outcome afterKill(final Map<Path, Long> childTargets, final boolean prune) throws IOException
    {
        final Outcome o = new Outcome();
        o.tempFiles = countTempFiles();
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSoakChild.SETTINGS))
        {
            o.staleLocks = (int)backups.locks().stream().filter(RepositoryLockInfo::stale).count();
            verify(backups, o);
            if (prune)
            {
                try
                {
                    backups.prune(RetentionPolicy.keepLast(Math.max(1, backups.list().size())));
                    o.resumedPrunes++;
                }
                catch (final IOException | RuntimeException ex)
                {
                    o.failures.add("the next prune after the kill failed: " + ex);
                }
            }
            final List<BackupInfo> listed = backups.list();
            o.backupsListed = listed.size();
            final List<BackupInfo> fresh = new ArrayList<>();
            final List<BackupInfo> old = new ArrayList<>();
            for (final BackupInfo info : listed)
            {
                final Long version = announced.get(info.id());
                if (version != null && version != info.stateVersion())
                {
                    o.corrupt.add("backup " + info.id() + " lists state version " + info.stateVersion() +
                        " but its backup announced " + version);
                }
                (restored.contains(info.id()) ? old : fresh).add(info);
            }
            final List<BackupInfo> chosen = new ArrayList<>();
            if (!fresh.isEmpty())
            {
                chosen.add(fresh.remove(fresh.size() - 1));
            }
            while (chosen.size() < NEW_PER_CYCLE && !fresh.isEmpty())
            {
                chosen.add(fresh.remove(random.nextInt(fresh.size())));
            }
            if (!old.isEmpty())
            {
                chosen.add(old.get(random.nextInt(old.size())));
            }
            for (final BackupInfo info : chosen)
            {
                restoreAndCompare(backups, RestoreTarget.backup(info.id()), info.stateVersion(), "backup " + info.id(), o);
                restored.add(info.id());
            }
            pointInTime(backups, o);
            childTargets(childTargets, o);
            resume(backups, o);
        }
        totals.add(o);
        return o;
    }

    /** Restores every backup listed and compares each with the model (the soak's last check). */
    Outcome restoreAll() throws IOException
    {
        final Outcome o = new Outcome();
        o.tempFiles = countTempFiles();
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSoakChild.SETTINGS))
        {
            verify(backups, o);
            final List<BackupInfo> listed = backups.list();
            o.backupsListed = listed.size();
            for (final BackupInfo info : listed)
            {
                restoreAndCompare(backups, RestoreTarget.backup(info.id()), info.stateVersion(), "backup " + info.id(), o);
            }
        }
        o.storeVersion = totals.storeVersion;
        totals.add(o);
        return o;
    }

    private void verify(final Backups backups, final Outcome o)
    {
        try
        {
            final VerifyReport report = backups.verify(true);
            for (final VerifyReport.Problem problem : report.problems())
            {
                o.corrupt.add(problem.toString());
            }
            for (final String note : report.notes())
            {
                if (note.contains("had no readable index object: index rebuilt from the pack") &&
                    !note.contains("damaged"))
                {
                    o.rebuiltIndexNotes++;
                }
                else
                {
                    o.corrupt.add("index: " + note);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            o.corrupt.add("verify failed: " + ex);
        }
    }

    private void pointInTime(final Backups backups, final Outcome o)
    {
        try
        {
            final List<VersionRange> ranges = backups.versionRanges();
            if (ranges.isEmpty())
            {
                return;
            }
            final VersionRange range = ranges.get(random.nextInt(ranges.size()));
            final long from = Math.max(1, range.firstVersion());
            final long version = from + (long)(random.nextDouble() * (range.lastVersion() - from + 1));
            restoreAndCompare(backups, RestoreTarget.version(version), version, "version " + version + " of " + range, o);
            o.pointInTimeRestores++;
        }
        catch (final IOException | RuntimeException ex)
        {
            o.wrongRestores.add("point in time: " + ex);
        }
    }

    private void childTargets(final Map<Path, Long> targets, final Outcome o) throws IOException
    {
        for (final Map.Entry<Path, Long> target : targets.entrySet())
        {
            final Path dir = target.getKey();
            if (Files.exists(dir))
            {
                final String wrong = compare(dir, target.getValue());
                if (wrong != null)
                {
                    o.wrongRestores.add("the killed child's restore " + dir + ": " + wrong);
                }
                o.childTargetsComplete++;
                deleteTree(dir);
            }
            else
            {
                o.childTargetsAbsent++;
            }
        }
        try (Stream<Path> entries = Files.list(work))
        {
            for (final Path p : entries.filter(p -> p.getFileName().toString().contains(".restoring-")).toList())
            {
                o.restoringDirs++;
                deleteTree(p);
            }
        }
    }

    /** The store opens with the model's state; the next backup of it succeeds and restores to the model. */
    private void resume(final Backups backups, final Outcome o)
    {
        try (Engram engram = Engram.open(store, SoakWorkload.context()))
        {
            final long version = engram.lastAppendedVersion();
            o.storeVersion = version;
            final String wrong = SoakWorkload.difference(SoakWorkload.stateAt(version), SoakWorkload.stateOf(engram));
            if (wrong != null)
            {
                o.failures.add("the store reopened at version " + version + " differs from the model: " + wrong);
                return;
            }
            final BackupResult result;
            try
            {
                result = backups.backup(engram);
            }
            catch (final IOException | RuntimeException ex)
            {
                o.failures.add("the next backup after the kill failed: " + ex);
                return;
            }
            o.resumedBackups++;
            restored.add(result.backup().id());
            restoreAndCompare(backups, RestoreTarget.backup(result.backup().id()), result.backup().stateVersion(),
                "the resumed backup " + result.backup().id(), o);
        }
        catch (final RuntimeException ex)
        {
            o.failures.add("the store did not reopen: " + ex);
        }
    }

    private void restoreAndCompare(final Backups backups, final RestoreTarget target, final long version,
        final String what, final Outcome o)
    {
        final Path dir = work.resolve("check-" + restoreNumber++);
        try
        {
            final RestoreResult result = backups.restore(target, dir);
            final String wrong = result.stateVersion() != version ?
                "restored state version " + result.stateVersion() + ", expected " + version : compare(dir, version);
            if (wrong != null)
            {
                o.wrongRestores.add(what + ": " + wrong);
            }
            o.restoresCompared++;
        }
        catch (final IOException | RuntimeException ex)
        {
            o.wrongRestores.add(what + ": restore failed: " + ex);
        }
        finally
        {
            try
            {
                deleteTree(dir);
            }
            catch (final IOException ex)
            {
                o.failures.add("could not delete " + dir + ": " + ex);
            }
        }
    }

    /** Null when the directory opens at exactly {@code version} with the model's state there, byte for byte. */
    static String compare(final Path dir, final long version)
    {
        try (Engram engram = Engram.open(dir, SoakWorkload.context()))
        {
            if (engram.lastAppendedVersion() != version)
            {
                return "opens at version " + engram.lastAppendedVersion() + ", expected " + version;
            }
            final String wrong = SoakWorkload.difference(SoakWorkload.stateAt(version), SoakWorkload.stateOf(engram));
            return wrong == null ? null : "at version " + version + ": " + wrong;
        }
        catch (final RuntimeException ex)
        {
            return "does not open: " + ex;
        }
    }

    private int countTempFiles() throws IOException
    {
        try (Stream<Path> walk = Files.walk(repo))
        {
            return (int)walk.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
