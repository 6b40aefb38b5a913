package dev.engram.harness.crash;

/**
 * Layout of the expected-state oracle a crash child keeps in a small mapped file: what it knows was
 * acknowledged, per durability level, so the parent can check recovery after the kill. Each field only
 * grows and is written with a release store after the fact it records; the file survives the child's
 * kill -9 (the page cache is the parent's too). Little-endian longs.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  Attempted: last version commit() returned                    |  0
 *  +---------------------------------------------------------------+
 *  |  Written ack: journal.writtenVersion() seen after a commit    |  8
 *  +---------------------------------------------------------------+
 *  |  Synced ack: a version awaitSynced() confirmed                |  16
 *  +---------------------------------------------------------------+
 *  |  Opened: the version the child's open recovered (-1 before)   |  24
 *  +---------------------------------------------------------------+
 *  |  Checkpoints published by the child                          |  32
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class CrashOracleDescriptor
{
    static final int ATTEMPTED_OFFSET = 0;
    static final int WRITTEN_ACK_OFFSET = 8;
    static final int SYNCED_ACK_OFFSET = 16;
    static final int OPENED_OFFSET = 24;
    static final int CHECKPOINTS_OFFSET = 32;
    static final int LENGTH = 64;

    private CrashOracleDescriptor()
    {
    }
}
