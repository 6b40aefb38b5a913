package dev.engram.examples;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.RecordCodec;
import dev.engram.journal.SyncPolicy;

import java.nio.file.Path;

/**
 * The README's embedding as a program to copy: a record registered as a typed value, one delta with a typed PUT
 * and a raw PUT, a PATCH in place, a typed read that sees the thread's own commits, and the close that drains,
 * syncs and marks a clean shutdown. It keeps its state in {@code ./state}; run it with the JVM flags of
 * docs/embedding.md.
 * <p>
 * The body of {@code main} is the {@code java} block under "Embedding" in README.md, line for line (K&amp;R braces
 * as there): {@code Embedding20LinesTest} fails when the two differ, and compiles and runs the README's block on
 * its own.
 */
public final class Embedding20Lines
{
    private Embedding20Lines()
    {
    }

    public static void main(final String[] args)
    {
        record User(String name, int visits) { }                       // a typed value: any Java record

        EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC);
        RecordCodec.of(User.class).registerIn(ctx);                    // its codec, no codec code to write
        try (Engram engram = Engram.open(Path.of("state"), ctx)) {     // recovers whatever a crash left there
            long v = engram.delta()
                .put("user/42", new User("ann", 1))                    // typed PUT
                .put("weights/7", new byte[8192])                      // raw bytes
                .commit();                                             // one atomic version, lock-free
            engram.delta().patch("weights/7", 4096, new byte[] {1, 2, 3, 4}).commit();   // 4 bytes in place
            User user = engram.get("user/42", User.class);             // sees this thread's own commits
            byte[] weights = engram.get("weights/7");
            System.out.println("version " + v + ": " + user + ", weights[4096]=" + weights[4096]);
        }                                                              // drains, syncs, marks a clean shutdown
    }
}
