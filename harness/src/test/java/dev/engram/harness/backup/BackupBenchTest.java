package dev.engram.harness.backup;

import dev.engram.harness.recovery.StateWorkload;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bench backup} end to end on a tiny state: every step of every system that is installed runs, every restored
 * state is read back and verified, and the report has every row and column (no timing is asserted).
 */
class BackupBenchTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldRunEveryStepAndVerifyEveryRestoredState() throws Exception
    {
        final BackupBenchOptions options = BackupBenchOptions.parse(new String[] {"--state", "2m", "--value", "512",
            "--change", "2", "--patch", "2", "--patch-bytes", "32", "--parallelism", "2",
            "--dir", dir.resolve("data").toString(), "--report", dir.resolve("report.md").toString()});

        final BackupBench.Outcome outcome = BackupBench.run(options);

        final BackupBenchReport report = outcome.report();
        assertTrue(report.ok(), outcome.console());
        final boolean tar = Command.which("tar") != null && Command.which("zstd") != null;
        final boolean restic = Command.which("restic") != null;
        for (final Step.Kind kind : Step.Kind.values())
        {
            assertTrue(report.step(kind, EngramSystem.TITLE).ran(), "Engram, " + kind);
        }
        for (final Step.Kind kind : List.of(Step.Kind.FULL, Step.Kind.INCREMENTAL_CHANGE, Step.Kind.INCREMENTAL_PATCH,
            Step.Kind.RESTORE, Step.Kind.OPEN, Step.Kind.VERIFY))
        {
            assertTrue(report.step(kind, RocksSystem.TITLE).ran(), "RocksDB, " + kind);
        }
        for (final Step.Kind kind : List.of(Step.Kind.FULL, Step.Kind.INCREMENTAL_CHANGE, Step.Kind.INCREMENTAL_PATCH,
            Step.Kind.RESTORE, Step.Kind.VERIFY))
        {
            assertEquals(restic, report.step(kind, ResticSystem.TITLE).ran(), "restic, " + kind);
        }
        for (final Step.Kind kind : List.of(Step.Kind.FULL, Step.Kind.RESTORE, Step.Kind.VERIFY))
        {
            assertEquals(tar, report.step(kind, TarZstdSystem.TITLE).ran(), "tar + zstd, " + kind);
        }
        // every restore read back whole and checked, every verify clean
        final List<String> checks = report.checks();
        final long verified = checks.stream().filter(line -> line.contains(": verified:")).count();
        assertEquals(checks.size(), verified, String.join("\n", checks));
        final int restores = 3 + (restic ? 1 : 0) + (tar ? 1 : 0);   // Engram, its point in time, RocksDB, the others
        final int verifies = 2 + (restic ? 1 : 0) + (tar ? 1 : 0);
        assertEquals(restores + verifies, checks.size(), String.join("\n", checks));
        assertTrue(checks.stream().anyMatch(line -> line.startsWith("Engram, point-in-time restore: verified: 4,096 keys")),
            String.join("\n", checks));

        final String markdown = Files.readString(outcome.markdown(), StandardCharsets.UTF_8);
        assertTrue(markdown.contains("| step | Engram | RocksDB BackupEngine | restic | tar + zstd |"), markdown);
        for (final String row : List.of("| full backup |", "| incremental after 2 % of the keys PUT |",
            "| incremental after 2 % of the keys PATCHed |", "| restore (latest) |", "| open the restored state |",
            "| point-in-time restore |", "| verify, reading all data |"))
        {
            assertTrue(markdown.contains(row), row + " in\n" + markdown);
        }
        assertEquals(8, markdown.lines().filter(line -> line.startsWith("- ") && (line.endsWith("**met**") ||
            line.endsWith("**not met**") || line.contains("n/a"))).count(), markdown);
        if (!restic)
        {
            assertTrue(markdown.contains("— (restic is not on the PATH)"), markdown);
        }
        try (var runs = Files.list(dir.resolve("data")))
        {
            final Path run = runs.filter(p -> p.getFileName().toString().startsWith("run-")).findFirst().orElseThrow();
            try (var entries = Files.list(run))
            {
                assertEquals(List.of("logs"), entries.map(p -> p.getFileName().toString()).toList(), "data deleted without --keep");
            }
        }
    }

    @Test
    void shouldRefuseAStateThatDiffersFromTheModel()
    {
        final StateModel model = new StateModel(7, 100, 64, 8);
        final byte[] value = new byte[64];
        final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);

        final StateCheck right = new StateCheck(100);
        final StateCheck oneValueWrong = new StateCheck(100);
        final StateCheck oneKeyMissing = new StateCheck(100);
        for (int k = 0; k < 100; k++)
        {
            model.currentValue(k, value);
            final byte[] keyBytes = StateWorkload.key(new StringBuilder(), k).toString().getBytes(StandardCharsets.US_ASCII);
            key.wrap(keyBytes);
            buffer.wrap(value);
            right.entry(key, 0, keyBytes.length, buffer, 0, value.length);
            if (k != 42)
            {
                oneKeyMissing.entry(key, 0, keyBytes.length, buffer, 0, value.length);
            }
            if (k == 17)
            {
                value[5]++;
            }
            oneValueWrong.entry(key, 0, keyBytes.length, buffer, 0, value.length);
        }
        assertTrue(StateCheck.ok(right.verdict(model.checksum(), "the model's")));
        assertFalse(StateCheck.ok(oneValueWrong.verdict(model.checksum(), "the model's")));
        assertFalse(StateCheck.ok(oneKeyMissing.verdict(model.checksum(), "the model's")));

        // a PATCH changes the model's checksum, so a state restored from before it is refused
        model.patch(3, new byte[8], value);
        assertFalse(StateCheck.ok(right.verdict(model.checksum(), "the model's")));
    }
}
