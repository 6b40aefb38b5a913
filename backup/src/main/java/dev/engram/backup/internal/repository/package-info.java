/**
 * The repository at work: the chunk index in memory (rebuilt from packs where index objects are missing), the pack
 * writer, the verified chunk reader. Uses the format and the storage.
 */
package dev.engram.backup.internal.repository;
