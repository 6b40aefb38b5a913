/**
 * A state directory as the backup reads it, per the store's documented file formats: held closed by a shared lock
 * on {@code engram.lock}, the files included, checkpoint files cut at their blocks, the state version from the
 * clean-shutdown record or the newest checkpoint. Uses no other package of the backup module (besides the API's
 * exception).
 */
package dev.engram.backup.internal.source;
