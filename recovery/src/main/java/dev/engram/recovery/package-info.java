/**
 * Checkpoints, the snapshot index and the recovery procedure (not built yet: see issue 3).
 */
package dev.engram.recovery;
