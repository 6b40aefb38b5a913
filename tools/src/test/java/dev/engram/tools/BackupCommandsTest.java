package dev.engram.tools;

import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.engine.Engram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * backup, backups, verify-backup, restore and prune from the command line (the engine behind them is tested in the
 * backup module).
 */
class BackupCommandsTest
{
    @TempDir
    Path tmp;

    @Test
    void backupListVerifyRestorePrune() throws Exception
    {
        final Path store = tmp.resolve("store");
        TestStores.build(store);
        final Path repo = tmp.resolve("repo");

        final CliRun first = CliRun.of("backup", store, "--repo", repo);
        assertEquals(EngramCli.OK, first.exit(), first.toString());
        assertTrue(first.out().startsWith("backup 1 of "), first.toString());
        final CliRun second = CliRun.of("backup", store, "--repo", repo, "--json");
        assertEquals(EngramCli.OK, second.exit(), second.toString());
        assertTrue(second.out().contains("\"id\":2") && second.out().contains("\"newChunks\":0"), second.toString());

        final CliRun list = CliRun.of("backups", repo, "--json");
        assertEquals(EngramCli.OK, list.exit(), list.toString());
        assertTrue(list.out().contains("\"id\":1") && list.out().contains("\"parent\":1"), list.toString());

        final CliRun verify = CliRun.of("verify-backup", repo, "--read-data");
        assertEquals(EngramCli.OK, verify.exit(), verify.toString());
        assertTrue(verify.out().trim().endsWith("OK"), verify.toString());

        final Path restored = tmp.resolve("restored");
        final CliRun restore = CliRun.of("restore", repo, restored, "--backup", 1);
        assertEquals(EngramCli.OK, restore.exit(), restore.toString());
        try (Engram engram = Engram.open(restored, TestStores.context()))
        {
            assertEquals(TestStores.LAST_VERSION, engram.lastAppendedVersion());
        }
        // point in time: the journal after the newest checkpoint (111) up to 117 is held, so 114 restores exactly
        final Path atVersion = tmp.resolve("at-114");
        final CliRun pitr = CliRun.of("restore", repo, atVersion, "--version", 114, "--json");
        assertEquals(EngramCli.OK, pitr.exit(), pitr.toString());
        assertTrue(pitr.out().contains("\"stateVersion\":114"), pitr.toString());
        try (Engram engram = Engram.open(atVersion, TestStores.context()))
        {
            assertEquals(114, engram.lastAppendedVersion());
        }
        final CliRun outside = CliRun.of("restore", repo, tmp.resolve("at-118"), "--version", 118);
        assertEquals(EngramCli.COULD_NOT_RUN, outside.exit(), outside.toString());
        assertTrue(outside.err().contains("backups hold versions " + TestStores.SECOND_DELTA_VERSION + ".." +
            TestStores.LAST_VERSION + " (backup 1)"), outside.toString());
        final CliRun both = CliRun.of("restore", repo, tmp.resolve("both"), "--version", 114, "--at", "2026-01-01T00:00:00Z");
        assertTrue(both.exit() != EngramCli.OK, both.toString());

        final CliRun again = CliRun.of("restore", repo, restored);
        assertEquals(EngramCli.COULD_NOT_RUN, again.exit(), again.toString());
        assertTrue(again.err().contains("not empty"), again.toString());

        final CliRun prune = CliRun.of("prune", repo, "--keep-last", 1, "--json");
        assertEquals(EngramCli.OK, prune.exit(), prune.toString());
        assertTrue(prune.out().contains("\"deletedBackups\":[1]"), prune.toString());
        assertEquals(EngramCli.COULD_NOT_RUN, CliRun.of("prune", repo).exit());
        assertArrayEquals(new Object[] {java.time.Duration.ofHours(36), java.time.Duration.ofDays(7)},
            new Object[] {PruneCommand.duration("36h"), PruneCommand.duration("7d")});
    }

    @Test
    void progressGoesToStderrAndJsonCarriesTotalsAndElapsedTime() throws Exception
    {
        final Path store = tmp.resolve("store");
        TestStores.build(store);
        final Path repo = tmp.resolve("repo");
        final Path restored = tmp.resolve("restored");
        final List<List<Object>> commands = List.of(
            List.of("backup", store, "--repo", repo, "--progress", "--json"),
            List.of("verify-backup", repo, "--read-data", "--progress", "--json"),
            List.of("restore", repo, restored, "--progress", "--json"));
        for (final List<Object> command : commands)
        {
            final String operation = command.get(0).equals("verify-backup") ? "verify" : command.get(0).toString();
            final CliRun run = CliRun.of(command.toArray());
            assertEquals(EngramCli.OK, run.exit(), run.toString());
            final List<String> lines = run.err().lines().toList();
            assertTrue(!lines.isEmpty() && lines.stream().allMatch(l -> l.startsWith(operation + ": ")),
                run.toString());
            assertTrue(lines.get(lines.size() - 1).contains("done in"), run.toString());
            final Map<String, Object> out = JsonReader.object(run.out().trim());   // stdout: the JSON alone
            @SuppressWarnings("unchecked")
            final Map<String, Object> totals = (Map<String, Object>)out.get("totals");
            assertTrue(totals != null && (Long)totals.get("bytes") > 0 && (Long)totals.get("chunks") > 0, run.toString());
            assertTrue(out.get("elapsedMillis") instanceof Long, run.toString());
            if (operation.equals("verify"))
            {
                assertEquals(out.get("bytesRead"), totals.get("bytes"));
                assertEquals(out.get("chunksRead"), totals.get("chunks"));
                assertEquals(out.get("packs"), totals.get("packs"));
            }
            else
            {
                assertEquals(Boolean.TRUE, operation.equals("restore") ?
                    totals.get("bytes").equals(out.get("bytes")) : totals.get("files").equals(
                    ((Map<?, ?>)out.get("backup")).get("files")), run.toString());
            }
        }
        if (!ProgressLine.stderrIsTerminal())
        {
            final CliRun quiet = CliRun.of("verify-backup", repo, "--read-data", "--json");
            assertEquals(EngramCli.OK, quiet.exit(), quiet.toString());
            assertEquals("", quiet.err(), "no progress without --progress when stderr is no terminal");
            assertTrue(JsonReader.object(quiet.out().trim()).containsKey("totals"), quiet.toString());
        }
    }

    @Test
    void anS3RepositoryWithEndpointAndKeys() throws Exception
    {
        final Path store = tmp.resolve("store");
        TestStores.build(store);
        try (S3ProxyServer server = new S3ProxyServer())
        {
            final String repo = "s3://" + server.newBucket() + "/engram/prod";
            final Object[] s3 = {"--s3-endpoint", server.endpoint(), "--s3-region", "eu-west-1",
                "--s3-access-key", S3ProxyServer.ACCESS_KEY, "--s3-secret-key", S3ProxyServer.SECRET_KEY};

            final CliRun backup = CliRun.of(concat(new Object[] {"backup", store, "--repo", repo}, s3));
            assertEquals(EngramCli.OK, backup.exit(), backup.toString());
            assertTrue(backup.out().startsWith("backup 1 of "), backup.toString());
            final CliRun verify = CliRun.of(concat(new Object[] {"verify-backup", repo, "--read-data"}, s3));
            assertEquals(EngramCli.OK, verify.exit(), verify.toString());
            final Path restored = tmp.resolve("restored");
            final CliRun restore = CliRun.of(concat(new Object[] {"restore", repo, restored}, s3));
            assertEquals(EngramCli.OK, restore.exit(), restore.toString());
            try (Engram engram = Engram.open(restored, TestStores.context()))
            {
                assertEquals(TestStores.LAST_VERSION, engram.lastAppendedVersion());
            }

            final Object[] wrongKey = s3.clone();
            wrongKey[wrongKey.length - 1] = "not-the-secret";
            final CliRun refused = CliRun.of(concat(new Object[] {"backups", repo}, wrongKey));
            assertEquals(EngramCli.COULD_NOT_RUN, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("secret access key is wrong"), refused.toString());
        }
    }

    @Test
    void anEncryptedRepositoryAndItsKeys() throws Exception
    {
        final Path store = tmp.resolve("store");
        TestStores.build(store);
        final Path repo = tmp.resolve("repo");
        final Path password = java.nio.file.Files.writeString(tmp.resolve("backup.pass"), "a long passphrase\n");
        final Path keyFile = java.nio.file.Files.write(tmp.resolve("backup.key"), new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32});

        final CliRun backup = CliRun.of("backup", store, "--repo", repo, "--password-file", password,
            "--kdf-iterations", 1000);
        assertEquals(EngramCli.OK, backup.exit(), backup.toString());
        final CliRun noKey = CliRun.of("backups", repo);
        assertEquals(EngramCli.COULD_NOT_RUN, noKey.exit(), noKey.toString());
        assertTrue(noKey.err().contains("is encrypted"), noKey.toString());
        final CliRun verify = CliRun.of("verify-backup", repo, "--read-data", "--password-file", password);
        assertEquals(EngramCli.OK, verify.exit(), verify.toString());

        final CliRun list = CliRun.of("backup-key", "list", repo, "--password-file", password, "--json");
        assertEquals(EngramCli.OK, list.exit(), list.toString());
        final java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f]{32})\"")
            .matcher(list.out());
        assertTrue(id.find(), list.toString());
        final String oldId = id.group(1);
        final CliRun add = CliRun.of("backup-key", "add", repo, "--password-file", password, "--new-key-file", keyFile);
        assertEquals(EngramCli.OK, add.exit(), add.toString());
        final CliRun inUse = CliRun.of("backup-key", "remove", repo, oldId, "--password-file", password);
        assertEquals(EngramCli.COULD_NOT_RUN, inUse.exit(), inUse.toString());
        final CliRun remove = CliRun.of("backup-key", "remove", repo, oldId, "--key-file", keyFile);
        assertEquals(EngramCli.OK, remove.exit(), remove.toString());

        final CliRun old = CliRun.of("backups", repo, "--password-file", password);
        assertEquals(EngramCli.COULD_NOT_RUN, old.exit(), old.toString());
        assertTrue(old.err().contains("wrong key for the encrypted repository") &&
            old.err().contains("has no passphrase key"), old.toString());
        final Path restored = tmp.resolve("restored");
        final CliRun restore = CliRun.of("restore", repo, restored, "--key-file", keyFile);
        assertEquals(EngramCli.OK, restore.exit(), restore.toString());
        try (Engram engram = Engram.open(restored, TestStores.context()))
        {
            assertEquals(TestStores.LAST_VERSION, engram.lastAppendedVersion());
        }
    }

    private static Object[] concat(final Object[] first, final Object[] second)
    {
        final Object[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
