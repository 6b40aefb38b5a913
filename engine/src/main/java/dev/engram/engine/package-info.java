/**
 * The embeddable engine (docs/engine.md): {@link dev.engram.engine.Engram} opens a state directory, takes atomic
 * deltas from any thread ({@link dev.engram.engine.DeltaBuilder}), serves typed reads, history and metrics
 * ({@link dev.engram.engine.EngramMetrics}); configuration is one {@link dev.engram.engine.EngramContext}. Its
 * typed layer stores values of application types behind a {@link dev.engram.engine.ValueEnvelope} naming their
 * {@link dev.engram.engine.Codec} and schema version, read back through {@link dev.engram.engine.Migration}s
 * (docs/typed-values.md); a Java record needs no codec code ({@link dev.engram.engine.RecordCodec}).
 */
package dev.engram.engine;
