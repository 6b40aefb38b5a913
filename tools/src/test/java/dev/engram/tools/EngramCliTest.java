package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static dev.engram.tools.TestStores.FIRST_DELTA_VERSION;
import static dev.engram.tools.TestStores.LAST_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator CLI end to end: each command run through picocli on a store the engine built (a full checkpoint, two
 * deltas on it, a journal tail, tags), its output and exit code checked.
 */
class EngramCliTest
{
    @TempDir
    static Path work;
    static Path store;

    @BeforeAll
    static void buildStore() throws Exception
    {
        store = work.resolve("store");
        TestStores.build(store);
    }

    private static Path copyOfStore(final String name)
    {
        final Path copy = work.resolve(name);
        TestStores.copy(store, copy);
        return copy;
    }

    @Test
    void infoShouldDescribeJournalCheckpointsChainsTagsAndDiskUse()
    {
        final CliRun run = CliRun.of("info", store);
        assertEquals(0, run.exit(), run::toString);
        final String out = run.out();
        assertTrue(out.contains("closed cleanly yes (clean-shutdown record: last written version " + LAST_VERSION + ")"), out);
        assertTrue(out.contains("versions       1.." + LAST_VERSION + " (" + LAST_VERSION + " frames)"), out);
        assertTrue(out.contains("written        " + LAST_VERSION), out);
        assertTrue(out.contains("synced         at least " + LAST_VERSION + " (clean-shutdown record)"), out);
        assertTrue(out.contains("checkpoints      3 file(s)"), out);
        assertTrue(out.contains("  full  version 100"), out);
        assertTrue(out.contains("delta #1 on 1  version 105"), out);
        assertTrue(out.contains("delta #2 on 2  version 111"), out);
        assertTrue(out.contains("head 3  members [1, 2, 3]  version 111"), out);
        assertTrue(out.contains("complete"), out);
        assertTrue(out.contains("history window   versions 0.." + LAST_VERSION), out);
        assertTrue(out.contains("tags             2 (after-first-delta, head)"), out);
        assertTrue(out.contains("disk use"), out);
        assertTrue(out.contains("torn tail      none"), out);
    }

    @Test
    void infoJsonShouldCarryTheSameFacts()
    {
        final CliRun run = CliRun.of("info", store, "--json");
        assertEquals(0, run.exit(), run::toString);
        final String out = run.out().strip();
        assertTrue(out.startsWith("{") && out.endsWith("}"), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("\"lastVersion\":" + LAST_VERSION), out);
        assertTrue(out.contains("\"kind\":\"delta\",\"parentId\":2"), out);
        assertTrue(out.contains("\"members\":[1,2,3]"), out);
        assertTrue(out.contains("\"tags\":{\"after-first-delta\":" + FIRST_DELTA_VERSION + ",\"head\":" + LAST_VERSION + "}"), out);
        assertTrue(out.contains("\"historyWindow\":{\"oldestVersion\":0,\"newestVersion\":" + LAST_VERSION), out);
    }

    @Test
    void verifyShouldPassAnIntactStore()
    {
        final CliRun run = CliRun.of("verify", store);
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().contains("journal      " + LAST_VERSION + " frames"), run.out());
        assertTrue(run.out().contains("checkpoints  3 file(s)"), run.out());
        assertTrue(run.out().contains("OK: no damage found"), run.out());
        final CliRun json = CliRun.of("verify", "--json", store);
        assertEquals(0, json.exit(), json::toString);
        assertTrue(json.out().contains("\"ok\":true") && json.out().contains("\"damage\":[]"), json.out());
    }

    @Test
    void verifyShouldNameTheCheckpointFileAndOffsetOfAFlippedBit() throws IOException
    {
        final Path copy = copyOfStore("flipped-checkpoint");
        final Path checkpoint = copy.resolve("checkpoints").resolve("ckpt-0000000000000001.ckp");
        final long offset = 128 + 40;   // inside block 0 (blocks start after the 128-byte header)
        flip(checkpoint, offset);
        final CliRun run = CliRun.of("verify", copy);
        assertEquals(1, run.exit(), run::toString);
        assertTrue(run.out().contains("DAMAGE       " + checkpoint + " offset=128: block 0 CRC32C mismatch"), run.out());
        final CliRun json = CliRun.of("verify", copy, "--json");
        assertEquals(1, json.exit(), json::toString);
        assertTrue(json.out().contains("\"ok\":false"), json.out());
        assertTrue(json.out().contains("{\"file\":\"" + checkpoint + "\",\"offset\":128,\"what\":\"block 0 CRC32C mismatch"), json.out());
    }

    @Test
    void verifyShouldNameTheJournalFileAndOffsetOfAFlippedBit() throws IOException
    {
        final Path copy = copyOfStore("flipped-journal");
        final long[] place = new long[2];
        try (ReadOnlyState state = ReadOnlyState.open(copy))
        {
            state.frames(50, 50, frame ->
            {
                place[0] = frame.cycle();
                place[1] = frame.filePosition();
            });
            final Path file = state.journal(ReadOnlyState.Progress.NONE).cycles().stream()
                .filter(cycle -> cycle.cycle() == place[0]).findFirst().orElseThrow().file();
            flip(file, place[1] + 30);
            final CliRun run = CliRun.of("verify", copy);
            assertEquals(1, run.exit(), run::toString);
            assertTrue(run.out().contains("DAMAGE       " + file + " offset=" + place[1] + ": 1 journal frame(s)"), run.out());
            assertTrue(run.out().contains("followed by a valid frame of version=51"), run.out());
        }
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }

    @Test
    void verifyShouldSayItCouldNotRunOnADirectoryThatIsNotAStore() throws IOException
    {
        final Path empty = Files.createDirectories(work.resolve("not-a-store"));
        final CliRun run = CliRun.of("verify", empty);
        assertEquals(2, run.exit(), run::toString);
        assertTrue(run.err().contains("not an Engram state directory"), run.err());
        assertEquals(2, CliRun.of("verify", work.resolve("missing")).exit());
        assertEquals(2, CliRun.of("verify").exit(), "no DIR");
        assertEquals(2, CliRun.of("verify", store, "--no-such-option").exit());
        assertEquals(2, CliRun.of("no-such-command", store).exit());
    }

    @Test
    void getShouldReadTheValueNowAndAtPastVersionsTagsAndTimes()
    {
        assertGet("value-0-v4", "get", store, "k/0");
        assertGet("value-0-v1", "get", store, "k/0", "--at", "100");
        assertGet("value-0-v2", "get", store, "k/0", "--at", "after-first-delta");
        assertGet("value-0-v2", "get", store, "k/0", "--at", "tag:after-first-delta");
        assertGet("Value-1-v2", "get", store, "k/1");
        assertGet("value-99-v1", "get", store, "k/99", "--at", "110");
        assertGet("000102030405060708090a0b0c0d0e0f", "get", store, "binary");
        assertGet("value-0-v4", "get", store, "k/0", "--at", Instant.now().plusSeconds(60).toString());
        final CliRun gone = CliRun.of("get", store, "k/99");
        assertEquals(1, gone.exit(), gone::toString);
        assertTrue(gone.err().contains("key 'k/99' has no value at version " + LAST_VERSION), gone.err());
        final CliRun unavailable = CliRun.of("get", store, "k/0", "--at", "1000");
        assertEquals(2, unavailable.exit(), unavailable::toString);
        assertTrue(unavailable.err().contains("version=1000 is not available"), unavailable.err());
    }

    private static void assertGet(final String expected, final Object... args)
    {
        final CliRun run = CliRun.of(args);
        assertEquals(0, run.exit(), run::toString);
        assertEquals(expected, run.out().strip(), run::toString);
    }

    @Test
    void getTypeShouldShowTheEnvelopeAndDecodeKnownCodecs()
    {
        final CliRun typed = CliRun.of("get", store, "typed", "--type");
        assertEquals(0, typed.exit(), typed::toString);
        assertTrue(typed.out().contains("codec id=2 (utf8-string, type java.lang.String, current schema version 1) schema version=1"),
            typed.out());
        assertTrue(typed.out().contains("hello typed"), typed.out());
        final CliRun old = CliRun.of("get", store, "shout", "--type");
        assertEquals(0, old.exit(), old::toString);
        assertTrue(old.out().contains("codec id=1000 (shout") && old.out().contains("schema version=1"), old.out());
        assertTrue(old.out().contains("Shout[text=QUIET PLEASE]"), old.out());   // read through the migration
        final CliRun raw = CliRun.of("get", store, "k/3", "--type");
        assertTrue(raw.out().contains("no typed-value envelope"), raw.out());
    }

    @Test
    void historyShouldListEveryChangeOfAKey()
    {
        final CliRun run = CliRun.of("history", store, "k/1");
        assertEquals(0, run.exit(), run::toString);
        final List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("history of 'k/1' in versions 1.." + LAST_VERSION + ": 3 change(s)"), run.out());
        assertTrue(lines.get(1).matches("\\s+2\\s+\\S+\\s+PUT"), run.out());
        assertTrue(lines.get(2).matches("\\s+102\\s+\\S+\\s+PUT"), run.out());
        assertTrue(lines.get(3).matches("\\s+116\\s+\\S+\\s+PATCH"), run.out());
    }

    @Test
    void diffShouldListAddedChangedAndRemovedKeys()
    {
        final CliRun run = CliRun.of("diff", store, "after-first-delta", LAST_VERSION);
        assertEquals(0, run.exit(), run::toString);
        final String out = run.out();
        assertTrue(out.startsWith("diff 105 -> 117: 3 added, 7 changed, 2 removed"), out);
        assertTrue(out.contains("+ binary\n") && out.contains("+ shout\n") && out.contains("+ typed\n"), out);
        assertTrue(out.contains("~ k/0\n") && out.contains("~ k/1\n") && out.contains("~ k/9\n"), out);
        assertTrue(out.contains("- k/2\n") && out.contains("- k/99\n"), out);
    }

    @Test
    void tagsShouldListTheNamedVersions()
    {
        final CliRun run = CliRun.of("tags", store);
        assertEquals(0, run.exit(), run::toString);
        assertEquals(FIRST_DELTA_VERSION + "\tafter-first-delta\n" + LAST_VERSION + "\thead\n", run.out().replace("\r", ""));
    }

    @Test
    void dumpJournalShouldPrintFramesAsTextAndJson()
    {
        final CliRun text = CliRun.of("dump-journal", store, "--from", 115, "--to", 117);
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("version 115  "), text.out());
        assertTrue(text.out().contains("  PATCH k/1 @0 (1 bytes) \"V\""), text.out());
        assertTrue(text.out().contains("  DELETE k/2"), text.out());
        assertTrue(text.out().endsWith("3 frame(s)\n"), text.out());
        final CliRun json = CliRun.of("dump-journal", store, "--from", 101, "--to", 101, "--json");
        assertEquals(0, json.exit(), json::toString);
        final String line = json.out().strip();
        assertTrue(line.startsWith("{\"version\":101,"), line);
        assertTrue(line.contains("\"ops\":[{\"op\":\"PUT\",\"key\":\"k/0\",\"length\":10,\"text\":\"value-0-v2\"}]"), line);
        final CliRun all = CliRun.of("dump-journal", store, "--json");
        assertEquals(LAST_VERSION, all.out().lines().count());
    }

    @Test
    void readOnlyCommandsShouldChangeNoFileOfACleanStore()
    {
        assertReadOnly(copyOfStore("read-only-clean"));
    }

    @Test
    void readOnlyCommandsShouldChangeNoFileOfAStoreLeftOpen() throws Exception
    {
        // a store copied while its engine has it open: what a crash leaves (a lock file, no clean-shutdown record)
        final Path live = work.resolve("live");
        final Path copy = work.resolve("read-only-crashed");
        try (dev.engram.engine.Engram engram = dev.engram.engine.Engram.open(live, TestStores.context()))
        {
            TestStores.fill(engram);
            TestStores.copy(live, copy);
        }
        assertFalse(Files.exists(copy.resolve("clean-shutdown")));
        final CliRun info = CliRun.of("info", copy);
        assertTrue(info.out().contains("closed cleanly no (open now, or left by a crash"), info.out());
        assertReadOnly(copy);
    }

    private static void assertReadOnly(final Path dir)
    {
        final var before = TestStores.fingerprint(dir);
        final List<List<Object>> commands = List.of(
            List.of("info", dir), List.of("info", dir, "--json"), List.of("verify", dir, "--progress"),
            List.of("verify", dir, "--json"), List.of("get", dir, "k/0"), List.of("get", dir, "k/0", "--at", 50),
            List.of("get", dir, "shout", "--type"), List.of("history", dir, "k/1"), List.of("diff", dir, 1, LAST_VERSION),
            List.of("tags", dir), List.of("dump-journal", dir), List.of("dump-journal", dir, "--json", "--from", 100));
        for (final List<Object> command : commands)
        {
            final CliRun run = CliRun.of(command.toArray());
            assertEquals(0, run.exit(), () -> command + ": " + run);
            assertEquals(before, TestStores.fingerprint(dir), () -> command + " changed a file");
        }
    }

    @Test
    void checkpointShouldWriteACheckpointThatVerifies() throws IOException
    {
        final Path copy = copyOfStore("checkpointed");
        final CliRun run = CliRun.of("checkpoint", copy);
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().contains("checkpoint ckpt-0000000000000004.ckp: delta #3 on 3, version " + LAST_VERSION), run.out());
        assertTrue(run.out().contains("closed cleanly"), run.out());
        try (Stream<Path> files = Files.list(copy.resolve("checkpoints")))
        {
            assertTrue(files.anyMatch(file -> file.getFileName().toString().equals("ckpt-0000000000000004.ckp")));
        }
        final CliRun verify = CliRun.of("verify", copy);
        assertEquals(0, verify.exit(), verify::toString);
        assertGet("value-0-v4", "get", copy, "k/0");
        assertEquals(2, CliRun.of("checkpoint", work.resolve("no-store-here")).exit());
        assertFalse(Files.exists(work.resolve("no-store-here")), "checkpoint must not create a store");
    }

    @Test
    void migrateShouldRewriteOldValuesWithThePluginsCodecs()
    {
        final Path copy = copyOfStore("migrated");
        final var before = TestStores.fingerprint(copy);
        final CliRun dry = CliRun.of("migrate", copy, "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertTrue(dry.out().contains("101 values: 99 raw, 1 current, 1 to migrate"), dry.out());
        assertTrue(dry.out().contains("to migrate: shout v1: 1"), dry.out());
        assertTrue(dry.out().contains("dry run: nothing changed"), dry.out());
        assertEquals(before, TestStores.fingerprint(copy), "a dry run changes nothing");

        final CliRun run = CliRun.of("migrate", copy);
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().contains("migrated 1 of 101 values (99 raw left alone)"), run.out());
        final CliRun after = CliRun.of("get", copy, "shout", "--type");
        assertTrue(after.out().contains("schema version=2"), after.out());
        assertTrue(after.out().contains("Shout[text=QUIET PLEASE]"), after.out());
    }

    @Test
    void migrateShouldRefuseAndChangeNothingWhileACodecIsUnknown() throws Exception
    {
        final Path dir = work.resolve("unknown-codec");
        try (dev.engram.engine.Engram engram = dev.engram.engine.Engram.open(dir, TestStores.context()))
        {
            final byte[] value = TestStores.oldShout("x");
            value[2] = (byte)0xD0;   // codec id 0x07D0 = 2000: no plugin knows it
            value[3] = 0x07;
            engram.awaitApplied(engram.delta().put("mystery", value).commit(), 60, java.util.concurrent.TimeUnit.SECONDS);
        }
        final var before = TestStores.fingerprint(dir);
        final CliRun run = CliRun.of("migrate", dir);
        assertEquals(2, run.exit(), run::toString);
        assertTrue(run.out().contains("1 values: 0 raw, 0 current, 0 to migrate, 1 of unknown codecs {2000=1}"), run.out());
        assertTrue(run.err().contains("values of codec id(s) [2000] have no codec here; nothing was changed"), run.err());
        assertTrue(run.err().contains("--plugin JAR"), run.err());
        assertEquals(before, TestStores.fingerprint(dir));
    }

    @Test
    void aTornTailShouldBeReportedReadOnlyAndRetiredByTheNextOpen() throws Exception
    {
        final Path copy = copyOfStore("torn-tail");
        Files.delete(copy.resolve("clean-shutdown"));   // as after a crash
        final ReadOnlyState.CycleFile last;
        try (ReadOnlyState state = ReadOnlyState.open(copy))
        {
            final List<ReadOnlyState.CycleFile> cycles = state.journal(ReadOnlyState.Progress.NONE).cycles();
            last = cycles.get(cycles.size() - 1);
        }
        // a complete Chronicle document after the last frame whose body is no valid frame: a write cut short
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(last.file(),
            java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer document = java.nio.ByteBuffer.allocate(4 + 40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            document.putInt(40);
            while (document.hasRemaining())
            {
                document.put((byte)0x5A);
            }
            document.flip();
            channel.write(document, last.dataEnd());
        }
        final var before = TestStores.fingerprint(copy);
        final CliRun verify = CliRun.of("verify", copy);
        assertEquals(0, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("note         " + last.file() + " offset=" + (last.dataEnd() + 4) +
            ": 1 journal frame(s), 40 bytes, fail their check"), verify.out());
        assertTrue(verify.out().contains("a torn tail"), verify.out());
        final CliRun info = CliRun.of("info", copy);
        assertTrue(info.out().contains("torn tail      " + last.file()), info.out());
        assertGet("value-0-v4", "get", copy, "k/0");
        assertEquals(before, TestStores.fingerprint(copy), "read-only commands leave the torn tail alone");

        // the next normal open retires it with a trim frame, which the read-only walk then honours
        final CliRun checkpoint = CliRun.of("checkpoint", copy);
        assertEquals(0, checkpoint.exit(), checkpoint::toString);
        final CliRun after = CliRun.of("verify", copy);
        assertEquals(0, after.exit(), after::toString);
        assertFalse(after.out().contains("torn tail"), after.out());
        final CliRun infoAfter = CliRun.of("info", copy);
        assertTrue(infoAfter.out().contains("trim frames    1 (retiring 1 torn frames)"), infoAfter.out());
        assertTrue(infoAfter.out().contains("torn tail      none"), infoAfter.out());
        assertGet("value-0-v4", "get", copy, "k/0");
    }

    @Test
    void aWriteCutShortInItsHeaderShouldBeANoteAndReadOnlyCommandsShouldReadUpToIt() throws Exception
    {
        final Path copy = copyOfStore("unfinished-write");
        final ReadOnlyState.CycleFile last;
        try (ReadOnlyState state = ReadOnlyState.open(copy))
        {
            final List<ReadOnlyState.CycleFile> cycles = state.journal(ReadOnlyState.Progress.NONE).cycles();
            last = cycles.get(cycles.size() - 1);
        }
        // the header Chronicle writes before the body: length 40, the not-complete bit set
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(last.file(),
            java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            header.putInt(0x8000_0000 | 40).flip();
            channel.write(header, last.dataEnd());
        }
        final var before = TestStores.fingerprint(copy);
        final CliRun verify = CliRun.of("verify", copy);
        assertEquals(0, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("note         " + last.file() + " offset=" + last.dataEnd() +
            ": a journal document whose header is not complete"), verify.out());
        assertTrue(CliRun.of("info", copy).out().contains("unfinished     " + last.file()));
        assertGet("value-0-v4", "get", copy, "k/0");
        assertEquals(LAST_VERSION, CliRun.of("dump-journal", copy, "--json").out().lines().count());
        assertEquals(before, TestStores.fingerprint(copy));
    }

    @Test
    void checkpointShouldOpenAStoreOnTheRollCycleItWasWrittenWith()
    {
        final Path dir = work.resolve("secondly");
        final dev.engram.engine.EngramContext ctx = TestStores.context();
        ctx.journal().rollCycle(net.openhft.chronicle.queue.rollcycles.TestRollCycles.TEST_SECONDLY);
        try (dev.engram.engine.Engram engram = dev.engram.engine.Engram.open(dir, ctx))
        {
            assertTrue(engram.awaitApplied(engram.delta().put("a", TestStores.utf8("1")).commit(), 60,
                java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(CliRun.of("info", dir).out().contains("(roll cycle TEST_SECONDLY)"));
        final CliRun checkpoint = CliRun.of("checkpoint", dir);
        assertEquals(0, checkpoint.exit(), checkpoint::toString);
        assertTrue(checkpoint.out().contains("checkpoint ckpt-0000000000000001.ckp: full, version 1"), checkpoint.out());
        assertGet("1", "get", dir, "a");
    }
}
