/**
 * An example model in the first user's terms (docs/workload.md), for tests, the demo and benchmarks: an
 * evolving set of neural populations, user contexts, system metrics and a consciousness summary, kept in an
 * {@link dev.engram.engine.Engram}.
 * <ul>
 *   <li>Values: {@link dev.engram.engine.PopulationHeader} (the engine's fixed-layout record) and
 *       {@code float[]} weights ({@link dev.engram.engine.example.PopulationWeightsCodec}), and the Chronicle
 *       Wire records {@link dev.engram.engine.example.UserContext} (with a
 *       {@link dev.engram.engine.example.UserSession}), {@link dev.engram.engine.example.SystemMetrics},
 *       {@link dev.engram.engine.example.ConsciousnessSummary} and
 *       {@link dev.engram.engine.example.ActiveNeuralGroups}.</li>
 *   <li>Keys: {@link dev.engram.engine.example.ConsciousnessKeys}; codecs and their ids:
 *       {@link dev.engram.engine.example.ConsciousnessCodecs}.</li>
 *   <li>{@link dev.engram.engine.example.ConsciousnessWorkload}: a deterministic workload, one delta per step,
 *       and its {@link dev.engram.engine.example.ReferenceModel} to compare a recovered state with, byte for
 *       byte.</li>
 * </ul>
 */
package dev.engram.engine.example;
