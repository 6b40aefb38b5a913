package dev.engram.replica;

import org.apache.ratis.util.CodeInjectionForTesting;

import java.util.Set;

/**
 * Cuts nodes of a test's group (all in this JVM) off from the others, both ways, through Ratis' test hooks: a node
 * refuses the append-entries (heartbeats included) and vote requests of a cut node, and a cut node refuses everyone's.
 * A refusal is an exception in the receiving server's handler, as if the connection had failed; Ratis logs each
 * one. Only one partition at a time per JVM (the hooks are global): close it to heal.
 */
final class Partition implements AutoCloseable
{
    /** Ratis' hook names: the simple class name of RaftServerImpl and the method. */
    private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
    private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";

    private final Set<String> cut;

    /** @param cut ids of the nodes cut off from every other node. */
    Partition(final String... cut)
    {
        this.cut = Set.of(cut);
        final CodeInjectionForTesting.Code refuse = (local, remote, args) ->
        {
            if (!String.valueOf(local).equals(String.valueOf(remote)) &&
                (this.cut.contains(String.valueOf(local)) || this.cut.contains(String.valueOf(remote))))
            {
                throw new IllegalStateException("test partition: " + remote + " -> " + local + " is cut");
            }
            return false;
        };
        CodeInjectionForTesting.put(APPEND_ENTRIES, refuse);
        CodeInjectionForTesting.put(REQUEST_VOTE, refuse);
    }

    @Override
    public void close()
    {
        CodeInjectionForTesting.remove(APPEND_ENTRIES);
        CodeInjectionForTesting.remove(REQUEST_VOTE);
    }
}
