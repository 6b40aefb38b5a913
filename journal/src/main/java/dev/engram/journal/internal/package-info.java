/**
 * Not API: the journal's file-level machinery (memory mapping, the directory lock, cycle file names, the frame
 * scanner, read-ahead, version waiters, threads and UTF-8 helpers), public only because the recovery module (and
 * engine, for {@link dev.engram.journal.internal.Utf8}) uses it; it may change without notice. Applications use
 * {@code dev.engram.journal}.
 */
package dev.engram.journal.internal;
