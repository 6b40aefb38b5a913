package dev.engram.engine;

import dev.engram.journal.SyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Records through the engine: the six-field case in five lines, a schema change read after a reopen (on the fly,
 * then rewritten by migrate), and a changed shape without a version bump refused.
 */
class RecordCodecEngramTest
{
    /** The six-field record of the issue: no codec code anywhere. */
    public record Player(String name, int level, double score, boolean online, Instant joined, List<String> tags)
    {
    }

    /** Version 1 of a profile: kept as its own record once the shape changed. */
    public record ProfileV1(String name, int age)
    {
    }

    /** Version 2, the current shape under the class name the application uses. */
    public record Profile(String name, int age, String email, List<String> roles)
    {
    }

    /** Same class name (so same derived id) as Profile had, but a component added without a version bump. */
    public record ProfileWithoutBump(String name, int age, boolean admin)
    {
    }

    @TempDir
    Path dir;

    private static EngramContext ctx()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20);
        ctx.state().snapshotIndex(false);
        return ctx;
    }

    @Test
    void shouldRegisterPutCommitAndGetASixFieldRecordInFiveLines()
    {
        final Player ann = new Player("ann", 7, 99.5, true, Instant.parse("2026-01-02T03:04:05.678Z"), List.of("pro", "eu"));
        final EngramContext ctx = ctx();

        RecordCodec.of(Player.class).registerIn(ctx);                                   // 1
        try (Engram engram = Engram.open(dir, ctx))                                     // 2
        {
            engram.delta().put("player/ann", ann).commit();                             // 3
            final Player read = engram.get("player/ann", Player.class);                 // 4
            assertEquals(ann, read);                                                    // 5
        }

        final EngramContext again = ctx();
        RecordCodec.of(Player.class).registerIn(again);
        try (Engram engram = Engram.open(dir, again))
        {
            assertEquals(ann, engram.get("player/ann", Player.class), "after a reopen, with a codec built again: same id");
        }
    }

    @Test
    void shouldReadAVersion1ValueAsVersion2AfterReopenAndRewriteItWithMigrate()
    {
        final int id = RecordCodec.derivedId(Profile.class.getName());
        final EngramContext v1 = ctx();
        RecordCodec.of(ProfileV1.class, id).registerIn(v1);   // what the previous release registered
        try (Engram engram = Engram.open(dir, v1))
        {
            engram.delta().put("profile/1", new ProfileV1("bo", 41)).put("profile/2", new ProfileV1("cy", 29)).commit();
            assertEquals(new ProfileV1("bo", 41), engram.get("profile/1", ProfileV1.class));
        }

        final EngramContext v2 = ctx();
        RecordCodec.of(Profile.class).version(2)
            .migrateFrom(ProfileV1.class, 1, old -> new Profile(old.name(), old.age(), null, List.of("user")))
            .registerIn(v2);
        try (Engram engram = Engram.open(dir, v2))
        {
            assertEquals(1, engram.get("profile/1")[4], "stored at schema version 1");
            assertEquals(new Profile("bo", 41, null, List.of("user")), engram.get("profile/1", Profile.class), "upgraded on read");
            final MigrationReport report = engram.migrate(scanned -> { });
            assertEquals(2, report.migrated());
            assertEquals(2, engram.get("profile/2")[4], "rewritten at schema version 2");
            assertEquals(new Profile("cy", 29, null, List.of("user")), engram.get("profile/2", Profile.class));
        }
        try (Engram engram = Engram.open(dir, ctx()))
        {
            final UnknownCodecException unknown = assertThrows(UnknownCodecException.class, () -> engram.get("profile/1", Profile.class));
            assertTrue(unknown.getMessage().contains(String.valueOf(id)), unknown.getMessage());
        }
    }

    @Test
    void shouldRefuseAValueOfAnotherShapeWhenTheVersionWasNotBumped()
    {
        final int id = RecordCodec.derivedId(Profile.class.getName());
        final EngramContext v1 = ctx();
        RecordCodec.of(ProfileV1.class, id).registerIn(v1);
        try (Engram engram = Engram.open(dir, v1))
        {
            engram.delta().put("profile/1", new ProfileV1("bo", 41)).commit();
        }
        final EngramContext changed = ctx();
        RecordCodec.of(ProfileWithoutBump.class, id).registerIn(changed);   // version 1 again: a mistake
        try (Engram engram = Engram.open(dir, changed))
        {
            final ValueDecodeException ex = assertThrows(ValueDecodeException.class,
                () -> engram.get("profile/1", ProfileWithoutBump.class));
            final String message = ex.getMessage();
            assertTrue(message.contains("key=profile/1") && message.contains("codec id=" + id) &&
                message.contains("name=ProfileWithoutBump"), message);
            assertTrue(message.contains("stored 2 components") && message.contains("this record has 3 components") &&
                message.contains("(name:String,age:int,admin:boolean)"), message);
            assertTrue(message.contains("migrateFrom"), message);
        }
    }
}
