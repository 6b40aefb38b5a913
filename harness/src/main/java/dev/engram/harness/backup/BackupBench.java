package dev.engram.harness.backup;

import dev.engram.backup.BackupResult;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import dev.engram.backup.VerifyReport;
import dev.engram.harness.recovery.ChildProcess;
import dev.engram.harness.recovery.EngramChild;
import dev.engram.harness.recovery.RecoveryBench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./engram bench backup} (issue 16): one state, one run, Engram's backup engine beside RocksDB's BackupEngine,
 * restic and tar + zstd.
 * <ol>
 *   <li><b>Load</b>: the same keys and values into an Engram state directory (one commit per PUT, a checkpoint at
 *       the end, closed) and a RocksDB database (flushed).</li>
 *   <li><b>Full backup</b> of each: Engram's {@code Backups.backup(dir)}, RocksDB's {@code createNewBackup}, restic and
 *       tar + zstd of Engram's state directory.</li>
 *   <li><b>Change</b>: {@code --change} % of the keys PUT with new values (the same in both stores), then an
 *       <b>incremental</b> backup of each that has one; then a <b>PATCH</b> phase ({@code --patch} % of the keys, RocksDB
 *       PUTs the patched value whole) and another incremental.</li>
 *   <li><b>Restore</b> of the latest backup of each into a new directory, every restored state read whole and checked
 *       against the model ({@link StateModel}); Engram's {@code Engram.open} of it timed apart. A <b>point-in-time
 *       restore</b> (Engram) to the version half-way through the change phase, checked against the model there.</li>
 *   <li><b>Verify</b> reading all data: {@code verify(true)}, RocksDB's checksums, {@code restic check --read-data},
 *       {@code zstd -t}.</li>
 * </ol>
 * Exit status 1 when a restored state or a verify is wrong. See docs/benchmarks.md ("Backup engines side by side").
 */
public final class BackupBench
{
    /** What a run produced. */
    record Outcome(BackupBenchReport report, String console, Path markdown)
    {
    }

    private BackupBench()
    {
    }

    public static void run(final String[] args) throws Exception
    {
        final BackupBenchOptions options;
        try
        {
            options = BackupBenchOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            if (ex.getMessage().equals(BackupBenchOptions.USAGE))
            {
                System.out.print(BackupBenchOptions.USAGE);   // --help
                System.exit(0);
            }
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final Outcome outcome = run(options);
        System.exit(outcome.report().ok() ? 0 : 1);
    }

    static Outcome run(final BackupBenchOptions options) throws Exception
    {
        final String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path root = Files.createDirectories(options.dir != null ? options.dir : Path.of("/tmp", "backup-bench-" + stamp));
        final Path run = Files.createDirectories(root.resolve("run-" + stamp));
        final Path logs = Files.createDirectories(run.resolve("logs"));
        final Path markdown = options.report != null ? options.report : Path.of("engram-report-backup", "backup-" + stamp + ".md");
        final String machine = RecoveryBench.machine(root, List.of()).lines().filter(l -> !l.startsWith("Child JVMs"))
            .collect(Collectors.joining("\n", "", "\n"));
        System.out.println(options.commandLine);
        System.out.print(machine);
        System.out.println("data and logs: " + run);
        checkDisk(root, options);
        final String loadAtStart = ChildProcess.loadAverage();

        final BackupBenchReport report = new BackupBenchReport(options);
        final Path tarBin = Command.which("tar");
        final Path zstdBin = Command.which("zstd");
        final Path resticBin = Command.which("restic");
        final String resticSkip = !options.systems.contains("restic") ? "not asked (--only)" :
            resticBin == null ? "restic is not on the PATH" : null;
        final String tarSkip = !options.systems.contains("tar") ? "not asked (--only)" :
            tarBin == null || zstdBin == null ? "tar or zstd is not on the PATH" : null;
        final String rocksSkip = options.systems.contains("rocksdb") ? null : "not asked (--only)";
        final String[] skips = {rocksSkip, resticSkip, tarSkip};

        final Path state = run.resolve("engram-state");
        final StateModel model = new StateModel(options.seed, options.keyCount(), options.valueLength, options.patchBytes);
        try (EngramSystem engram = new EngramSystem(state, run.resolve("engram-repo"), options.parallelism);
             RocksSystem rocks = rocksSkip == null ? new RocksSystem(run.resolve("rocksdb"), run.resolve("rocksdb-backups")) : null)
        {
            final ResticSystem restic = resticSkip == null ? new ResticSystem(resticBin, run.resolve("restic-repo"),
                logs.resolve("restic.log")) : null;
            final TarZstdSystem tar = tarSkip == null ? new TarZstdSystem(tarBin, zstdBin, run.resolve("state.tar.zst"),
                logs.resolve("tar-zstd.log")) : null;

            progress("load: %,d keys x %,d B into Engram%s", model.keyCount(), model.valueLength(), rocks != null ? " and RocksDB" : "");
            engram.openForWrites();
            final byte[] value = new byte[model.valueLength()];
            for (int k = 0; k < model.keyCount(); k++)
            {
                model.currentValue(k, value);
                engram.put(k, value);
                if (rocks != null)
                {
                    rocks.put(k, value);
                }
            }
            engram.closeAfterWrites(true);
            if (rocks != null)
            {
                rocks.flush();
            }
            final long loadChecksum = model.checksum();
            report.fact("read and written: bytes through read and write calls of the bench's process and the programs it ran " +
                "(/proc/self/io rchar, wchar), page cache included: a backup of Engram's directory reads its journal cycle " +
                "files whole, the zeros of their sparse tail included");
            report.fact(String.format("after the load: Engram's state directory %s (checkpoint and journal), RocksDB's %s",
                DiskSize.of(state), rocks != null ? DiskSize.of(run.resolve("rocksdb")) : "-"));

            backups(Step.Kind.FULL, report, engram, rocks, restic, tar, state, skips);

            final int[] changed = model.pickKeys(options.changedKeys(), 1);
            final int half = Math.max(1, changed.length / 2);
            long midVersion = -1;
            long midChecksum = 0;
            progress("change: %,d keys PUT", changed.length);
            engram.openForWrites();
            for (int i = 0; i < changed.length; i++)
            {
                model.change(changed[i], value);
                final long version = engram.put(changed[i], value);
                if (rocks != null)
                {
                    rocks.put(changed[i], value);
                }
                if (i + 1 == half)
                {
                    midVersion = version;
                    midChecksum = model.checksum();
                }
            }
            engram.closeAfterWrites(false);
            backups(Step.Kind.INCREMENTAL_CHANGE, report, engram, rocks, restic, tar, state, skips);

            if (options.patchedKeys() > 0)
            {
                final int[] patchedKeys = model.pickKeys(options.patchedKeys(), 2);
                progress("patch: %,d keys PATCHed (%,d B each)", patchedKeys.length, options.patchBytes);
                final byte[] patch = new byte[options.patchBytes];
                engram.openForWrites();
                for (final int k : patchedKeys)
                {
                    model.patch(k, patch, value);
                    engram.patch(k, model.patchOffset(k), patch, value);
                    if (rocks != null)
                    {
                        rocks.patch(k, model.patchOffset(k), patch, value);
                    }
                }
                engram.closeAfterWrites(false);
                backups(Step.Kind.INCREMENTAL_PATCH, report, engram, rocks, restic, tar, state, skips);
            }
            else
            {
                for (final String system : BackupBenchReport.SYSTEMS)
                {
                    report.add(Step.skipped(Step.Kind.INCREMENTAL_PATCH, system, "--patch 0"));
                }
            }
            final long finalChecksum = model.checksum();
            final long finalVersion = engram.lastVersion();

            progress("restore the latest backups, read every key back");
            final Path restored = run.resolve("restored");
            Files.createDirectories(restored);
            final Timed<RestoreResult> engramRestore = engram.restore(RestoreTarget.latest(), restored.resolve("engram"));
            final Timed<StateCheck> engramOpen = EngramSystem.openAndRead(restored.resolve("engram"), model.keyCount());
            final String engramVerdict = engramOpen.value().verdict(finalChecksum, "the source's") +
                (engramRestore.value().stateVersion() == finalVersion ? "" : "; WRONG version " + engramRestore.value().stateVersion());
            report.add(checked(Step.Kind.RESTORE, EngramSystem.TITLE, engramRestore, engramVerdict,
                String.format("%,d files, %s", engramRestore.value().files(), BackupBenchReport.bytes(engramRestore.value().bytes()))));
            report.add(new Step(Step.Kind.OPEN, EngramSystem.TITLE, engramOpen.nanos(), engramOpen.io().read(),
                engramOpen.io().written(), "", true, "Engram.open in the bench's JVM (code already loaded)"));
            if (rocks != null)
            {
                final Timed<Path> rocksRestore = rocks.restoreLatest(restored.resolve("rocksdb"));
                final Timed<StateCheck> rocksOpen = RocksSystem.openAndRead(rocksRestore.value(), model.keyCount());
                report.add(checked(Step.Kind.RESTORE, RocksSystem.TITLE, rocksRestore,
                    rocksOpen.value().verdict(finalChecksum, "the source's"), ""));
                report.add(new Step(Step.Kind.OPEN, RocksSystem.TITLE, rocksOpen.nanos(), rocksOpen.io().read(),
                    rocksOpen.io().written(), "", true, "RocksDB.open"));
            }
            else
            {
                skip(report, RocksSystem.TITLE, rocksSkip, Step.Kind.RESTORE, Step.Kind.OPEN);
            }
            if (restic != null)
            {
                final Timed<Path> resticRestore = restic.restoreLatest(state, restored.resolve("restic"));
                final Timed<StateCheck> opened = EngramSystem.openAndRead(resticRestore.value(), model.keyCount());
                report.add(checked(Step.Kind.RESTORE, ResticSystem.TITLE, resticRestore,
                    opened.value().verdict(finalChecksum, "the source's"), ""));
            }
            else
            {
                skip(report, ResticSystem.TITLE, resticSkip, Step.Kind.RESTORE);
            }
            if (tar != null)
            {
                final Timed<Path> tarRestore = tar.restore(state, restored.resolve("tar"));
                final Timed<StateCheck> opened = EngramSystem.openAndRead(tarRestore.value(), model.keyCount());
                report.add(checked(Step.Kind.RESTORE, TarZstdSystem.TITLE, tarRestore,
                    opened.value().verdict(loadChecksum, "the source's after the load (its one archive)"), ""));
            }
            else
            {
                skip(report, TarZstdSystem.TITLE, tarSkip, Step.Kind.RESTORE);
            }
            for (final String system : List.of(ResticSystem.TITLE, TarZstdSystem.TITLE))
            {
                report.add(Step.skipped(Step.Kind.OPEN, system, "Engram's state: as Engram's open"));
            }

            report.fact("open: Engram.open and RocksDB.open in the bench's JVM, their code already loaded (a fresh JVM adds its " +
                "start and class loading: bench recovery); restic's and tar's restores are Engram's directory, opened and " +
                "checked by Engram");
            progress("point-in-time restore to version %,d (half-way through the change)", midVersion);
            final Timed<RestoreResult> pitr = engram.restore(RestoreTarget.version(midVersion), restored.resolve("engram-pitr"));
            final Timed<StateCheck> pitrOpen = EngramSystem.openAndRead(restored.resolve("engram-pitr"), model.keyCount());
            final String pitrVerdict = pitrOpen.value().verdict(midChecksum, "the source's at version " + midVersion) +
                (pitr.value().stateVersion() == midVersion ? "" : "; WRONG version " + pitr.value().stateVersion());
            report.add(checked(Step.Kind.POINT_IN_TIME, EngramSystem.TITLE, pitr, pitrVerdict,
                String.format("version %,d of %,d", midVersion, finalVersion)));
            report.add(Step.skipped(Step.Kind.POINT_IN_TIME, RocksSystem.TITLE, "restores whole backups only"));
            report.add(Step.skipped(Step.Kind.POINT_IN_TIME, ResticSystem.TITLE, "restores whole snapshots only"));
            report.add(Step.skipped(Step.Kind.POINT_IN_TIME, TarZstdSystem.TITLE, "one archive"));

            progress("verify, reading all data");
            final Timed<VerifyReport> verify = engram.verify();
            report.add(checked(Step.Kind.VERIFY, EngramSystem.TITLE, verify, verify.value().ok() ?
                String.format("verified: %,d manifests, %,d packs, %,d chunks re-hashed", verify.value().manifests(),
                    verify.value().packs(), verify.value().chunksRead()) : "WRONG: " + verify.value().problems(), ""));
            if (rocks != null)
            {
                final long[] files = new long[1];
                final Timed<List<String>> rocksVerify = rocks.verify(files);
                report.add(checked(Step.Kind.VERIFY, RocksSystem.TITLE, rocksVerify, rocksVerify.value().isEmpty() ?
                    String.format("verified: %,d files' CRC32C as the meta files list them", files[0]) :
                    "WRONG: " + rocksVerify.value(), ""));
            }
            else
            {
                skip(report, RocksSystem.TITLE, rocksSkip, Step.Kind.VERIFY);
            }
            if (restic != null)
            {
                report.add(checked(Step.Kind.VERIFY, ResticSystem.TITLE, restic.check(), "verified: restic check --read-data exit 0", ""));
            }
            else
            {
                skip(report, ResticSystem.TITLE, resticSkip, Step.Kind.VERIFY);
            }
            if (tar != null)
            {
                report.add(checked(Step.Kind.VERIFY, TarZstdSystem.TITLE, tar.verify(), "verified: zstd -t exit 0", ""));
            }
            else
            {
                skip(report, TarZstdSystem.TITLE, tarSkip, Step.Kind.VERIFY);
            }
        }

        report.fact("load average (1 min): " + loadAtStart + " at the start, " + ChildProcess.loadAverage() + " at the end");
        final String console = report.toConsole();
        System.out.print(console);
        if (markdown.getParent() != null)
        {
            Files.createDirectories(markdown.getParent());
        }
        Files.writeString(markdown, report.toMarkdown(machine));
        System.out.println("\nmarkdown: " + markdown.toAbsolutePath());
        System.out.println(report.ok() ? "every restored state verified" : "VERIFICATION FAILED (see the FAILED lines)");
        if (!options.keep)
        {
            try (Stream<Path> entries = Files.list(run))
            {
                for (final Path entry : entries.filter(p -> !p.equals(logs)).toList())
                {
                    EngramChild.deleteTree(entry);
                }
            }
        }
        return new Outcome(report, console, markdown);
    }

    /** One backup of each system that has one at this step. */
    private static void backups(final Step.Kind kind, final BackupBenchReport report, final EngramSystem engram,
        final RocksSystem rocks, final ResticSystem restic, final TarZstdSystem tar, final Path state, final String[] skips)
        throws Exception
    {
        progress("%s", kind.title);
        final Timed<BackupResult> mine = engram.backup();
        final BackupResult result = mine.value();
        report.add(new Step(kind, EngramSystem.TITLE, mine.nanos(), mine.io().read(), mine.io().written(), "", true, ""));
        report.fact(String.format("Engram, %s: %,d files, %s raw; %,d new chunks, %,d packs, %s written by its own count " +
                "(manifest %s)", kind.title, result.backup().files(), BackupBenchReport.bytes(result.backup().rawBytes()),
            result.newChunks(), result.packsWritten(), BackupBenchReport.bytes(result.bytesWritten()),
            BackupBenchReport.bytes(result.manifestBytes())));
        if (rocks != null)
        {
            final Timed<Integer> theirs = rocks.backup();
            report.add(new Step(kind, RocksSystem.TITLE, theirs.nanos(), theirs.io().read(), theirs.io().written(), "", true, ""));
        }
        else
        {
            skip(report, RocksSystem.TITLE, skips[0], kind);
        }
        if (restic != null)
        {
            final Timed<Void> theirs = restic.backup(state);
            report.add(new Step(kind, ResticSystem.TITLE, theirs.nanos(), theirs.io().read(), theirs.io().written(), "", true, ""));
        }
        else
        {
            skip(report, ResticSystem.TITLE, skips[1], kind);
        }
        if (kind == Step.Kind.FULL && tar != null)
        {
            final Timed<Long> theirs = tar.backup(state);
            report.add(new Step(kind, TarZstdSystem.TITLE, theirs.nanos(), theirs.io().read(), theirs.io().written(), "", true, ""));
        }
        else
        {
            skip(report, TarZstdSystem.TITLE, tar == null ? skips[2] : "no incremental: a full copy each time", kind);
        }
    }

    private static Step checked(final Step.Kind kind, final String system, final Timed<?> timed, final String verdict,
        final String note)
    {
        return new Step(kind, system, timed.nanos(), timed.io().read(), timed.io().written(), verdict, StateCheck.ok(verdict), note);
    }

    private static void skip(final BackupBenchReport report, final String system, final String why, final Step.Kind... kinds)
    {
        for (final Step.Kind kind : kinds)
        {
            report.add(Step.skipped(kind, system, why));
        }
    }

    /** Engram's state and repository, RocksDB's database and backups, restic's repository, the archive, four restores. */
    private static void checkDisk(final Path root, final BackupBenchOptions options) throws IOException
    {
        final long needed = 14 * options.stateBytes + (1L << 30);
        final long usable = Files.getFileStore(root).getUsableSpace();
        if (usable < needed)
        {
            throw new IllegalStateException(String.format("not enough disk under %s: ~%s needed, %s free; use a smaller --state " +
                "or another --dir", root, BackupBenchReport.bytes(needed), BackupBenchReport.bytes(usable)));
        }
    }

    private static void progress(final String format, final Object... args)
    {
        System.out.printf("[%s] %s%n", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), String.format(format, args));
    }
}
