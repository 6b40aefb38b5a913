/**
 * {@code ./engram bench open-close}: how long {@code Engram.open} and {@code Engram.close} take in fresh JVMs, on a
 * brand-new directory and right after opening an existing state whose after-open checks are still running.
 */
package dev.engram.harness.openclose;
