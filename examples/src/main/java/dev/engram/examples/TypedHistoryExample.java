package dev.engram.examples;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.EngramSnapshot;
import dev.engram.engine.RecordCodec;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateDiff;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Typed values through the version history (docs/history.md), with the {@link Engram} façade only: a record
 * stored by {@link RecordCodec}, three versions committed, one of them tagged; after a restart, the state at the
 * tag read as records ({@link Engram#stateAt(long)}, {@link EngramSnapshot#get(CharSequence, Class)}), the key's
 * history ({@link Engram#history(String)}) with its value at each version, and what changed between the first
 * and the last version ({@link Engram#diff(long, long)}).
 * <p>
 * Run with the JVM flags of docs/embedding.md: {@code TypedHistoryExample [directory]} (a new temporary
 * directory by default; the directory should be new or empty, see {@link #run}). On an empty directory it prints:
 * <pre>
 * committed versions 1, 2, 3; tags {after-deposit=2}
 * at tag after-deposit, version 2: Account[owner=ann, balanceCents=15000, entries=[opened, deposit 50.00]]
 * now: Account[owner=ann, balanceCents=12000, entries=[opened, deposit 50.00, withdraw 30.00]]
 * history of account/ann:
 *   version 1 PUT Account[owner=ann, balanceCents=10000, entries=[opened]]
 *   version 2 PUT Account[owner=ann, balanceCents=15000, entries=[opened, deposit 50.00]]
 *   version 3 PUT Account[owner=ann, balanceCents=12000, entries=[opened, deposit 50.00, withdraw 30.00]]
 * diff 1 -> 3: added [account/cy], changed [account/ann], removed [account/bob]
 * </pre>
 */
public final class TypedHistoryExample
{
    /** The tag naming the version after ann's deposit. */
    public static final String TAG = "after-deposit";
    /** The key whose history is shown. */
    public static final String ANN = "account/ann";

    /**
     * The typed value: a record, stored without codec code.
     *
     * @param owner        who holds it.
     * @param balanceCents the balance.
     * @param entries      what happened to it, oldest first.
     */
    public record Account(String owner, long balanceCents, List<String> entries)
    {
    }

    private TypedHistoryExample()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path directory = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("engram-typed-history");
        System.out.println("state in " + directory);
        run(directory, System.out);
    }

    /**
     * @return a context with the {@link Account} codec and every version kept reachable by history.
     */
    public static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().historyVersions(1_000_000);   // the history window
        RecordCodec.of(Account.class).registerIn(ctx);
        return ctx;
    }

    /**
     * Write three versions into {@code directory}, tag the second, close, reopen and print what history shows.
     * The tag is refused ({@link IllegalStateException}) if the directory already names another version with it.
     */
    public static void run(final Path directory, final PrintStream out)
    {
        final long opened;
        final long moved;
        try (Engram engram = Engram.open(directory, context()))
        {
            opened = engram.delta()
                .put(ANN, new Account("ann", 100_00, List.of("opened")))
                .put("account/bob", new Account("bob", 20_00, List.of("opened")))
                .commit();
            final long deposited = engram.delta()
                .put(ANN, new Account("ann", 150_00, List.of("opened", "deposit 50.00")))
                .commit();
            moved = engram.delta()
                .put(ANN, new Account("ann", 120_00, List.of("opened", "deposit 50.00", "withdraw 30.00")))
                .delete("account/bob")
                .put("account/cy", new Account("cy", 5_00, List.of("opened")))
                .commit();
            if (!engram.awaitApplied(moved, 30, TimeUnit.SECONDS))      // history reaches the written version
            {
                throw new IllegalStateException("version " + moved + " not applied within 30 s");
            }
            engram.tag(TAG, deposited);                                  // a name for a version, kept on disk
            out.println("committed versions " + opened + ", " + deposited + ", " + moved + "; tags " + engram.tags());
        }

        try (Engram engram = Engram.open(directory, context()))         // tags and history survive the restart
        {
            final long tagged = engram.versionOfTag(TAG);
            try (EngramSnapshot atTag = engram.stateAt(tagged))
            {
                out.println("at tag " + TAG + ", version " + atTag.version() + ": " + atTag.get(ANN, Account.class));
            }
            out.println("now: " + engram.get(ANN, Account.class));

            out.println("history of " + ANN + ":");
            for (final KeyHistory.Change change : engram.history(ANN).changes())
            {
                try (EngramSnapshot then = engram.stateAt(change.version()))
                {
                    out.println("  version " + change.version() + " " + change.op() + " " + then.get(ANN, Account.class));
                }
            }

            final StateDiff diff = engram.diff(opened, moved);
            out.println("diff " + opened + " -> " + moved + ": added " + diff.added() + ", changed " + diff.changed() +
                ", removed " + diff.removed());
        }
    }
}
