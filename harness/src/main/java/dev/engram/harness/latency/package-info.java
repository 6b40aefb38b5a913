/**
 * {@code ./engram bench journal} ({@link dev.engram.harness.latency.JournalLatencyHarness}) and {@code ./engram bench
 * rates} ({@link dev.engram.harness.latency.RatesHarness}): caller latency at fixed rates, corrected for coordinated
 * omission, and flat-out throughput, each beside a baseline (raw Chronicle, a no-op target) through one
 * {@link dev.engram.harness.latency.AppendTarget} interface.
 */
package dev.engram.harness.latency;
