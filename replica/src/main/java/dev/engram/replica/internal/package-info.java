/**
 * How replication works inside: the batch format of a Raft entry ({@link dev.engram.replica.internal.DeltaBatch}),
 * the leader's batcher ({@link dev.engram.replica.internal.Batcher}), the Ratis state machine that applies entries
 * into the node's Engram ({@link dev.engram.replica.internal.EngramStateMachine}) and its snapshot file
 * ({@link dev.engram.replica.internal.SnapshotFile}), the Ratis properties ({@link dev.engram.replica.internal.RaftSetup})
 * and the TLS key material read and checked for Ratis' gRPC TLS ({@link dev.engram.replica.internal.TlsFiles},
 * {@link dev.engram.replica.internal.TlsMaterial}). Not API.
 */
package dev.engram.replica.internal;
