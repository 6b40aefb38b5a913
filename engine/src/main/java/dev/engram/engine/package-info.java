/**
 * The embeddable engine API (not built yet: see issue 4) and its typed layer: values of application
 * types stored behind a {@link dev.engram.engine.ValueEnvelope} naming their {@link dev.engram.engine.Codec}
 * and schema version, read back through {@link dev.engram.engine.Migration}s (see docs/typed-values.md).
 */
package dev.engram.engine;
