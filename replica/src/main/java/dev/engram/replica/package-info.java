/**
 * Replicas: a group of nodes, each embedding a full Engram, kept identical by Apache Ratis (Raft) with automatic
 * failover. Entry point: {@link dev.engram.replica.ReplicatedEngram}; design in docs/replication.md.
 */
package dev.engram.replica;
