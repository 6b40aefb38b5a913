package dev.engram.examples;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramSnapshot;
import dev.engram.examples.TypedHistoryExample.Account;
import dev.engram.journal.OpType;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateDiff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TypedHistoryExample} prints what its javadoc says it prints, and leaves a store whose tag, past states,
 * history and diff say the same through the façade.
 */
class TypedHistoryExampleTest
{
    private static final List<String> EXPECTED = List.of(
        "committed versions 1, 2, 3; tags {after-deposit=2}",
        "at tag after-deposit, version 2: Account[owner=ann, balanceCents=15000, entries=[opened, deposit 50.00]]",
        "now: Account[owner=ann, balanceCents=12000, entries=[opened, deposit 50.00, withdraw 30.00]]",
        "history of account/ann:",
        "  version 1 PUT Account[owner=ann, balanceCents=10000, entries=[opened]]",
        "  version 2 PUT Account[owner=ann, balanceCents=15000, entries=[opened, deposit 50.00]]",
        "  version 3 PUT Account[owner=ann, balanceCents=12000, entries=[opened, deposit 50.00, withdraw 30.00]]",
        "diff 1 -> 3: added [account/cy], changed [account/ann], removed [account/bob]");

    @Test
    void printsTheTaggedStateTheHistoryAndTheDiff(@TempDir final Path dir)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            TypedHistoryExample.run(dir, out);
        }
        assertEquals(EXPECTED, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void leavesAStoreWhoseHistoryMatches(@TempDir final Path dir)
    {
        TypedHistoryExample.run(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        try (Engram engram = Engram.open(dir, TypedHistoryExample.context()))
        {
            assertEquals(Map.of(TypedHistoryExample.TAG, 2L), engram.tags());
            try (EngramSnapshot atTag = engram.stateAt(engram.versionOfTag(TypedHistoryExample.TAG)))
            {
                assertEquals(new Account("ann", 150_00, List.of("opened", "deposit 50.00")),
                    atTag.get(TypedHistoryExample.ANN, Account.class));
                assertEquals(new Account("bob", 20_00, List.of("opened")), atTag.get("account/bob", Account.class));
                assertNull(atTag.get("account/cy", Account.class));
            }
            try (EngramSnapshot latest = engram.stateAt(3))
            {
                assertNull(latest.get("account/bob", Account.class), "deleted at version 3");
                assertEquals(List.of("account/ann", "account/cy"), latest.keys("account/").stream().sorted().toList());
            }

            final KeyHistory bob = engram.history("account/bob");
            assertEquals(List.of(OpType.PUT, OpType.DELETE), bob.changes().stream().map(KeyHistory.Change::op).toList());
            assertArrayEquals(new long[] {1, 3}, bob.versions());

            final StateDiff backwards = engram.diff(3, 1);
            assertEquals(List.of("account/bob"), backwards.added());
            assertEquals(List.of("account/ann"), backwards.changed());
            assertEquals(List.of("account/cy"), backwards.removed());
        }
    }
}
