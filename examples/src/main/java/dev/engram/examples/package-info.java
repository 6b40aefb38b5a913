/**
 * Short programs that embed Engram, to read and copy: {@link dev.engram.examples.Embedding20Lines} (the README's
 * embedding, kept identical to it by a test) and {@link dev.engram.examples.TypedHistoryExample} (typed values
 * through past states, tags, a key's history and diffs). The larger example world of docs/workload.md is
 * {@link dev.engram.examples.consciousness}.
 */
package dev.engram.examples;
