/**
 * An example model in the first user's terms (docs/workload.md), for tests, the demo and benchmarks: an
 * evolving set of neural populations, user contexts, system metrics and a consciousness summary, kept in an
 * {@link dev.engram.engine.Engram}.
 * <ul>
 *   <li>Values: {@link dev.engram.examples.consciousness.PopulationHeader} (a fixed-layout record with its own codec) and
 *       {@code float[]} weights ({@link dev.engram.examples.consciousness.PopulationWeightsCodec}), and the Chronicle
 *       Wire records {@link dev.engram.examples.consciousness.UserContext} (with a
 *       {@link dev.engram.examples.consciousness.UserSession}), {@link dev.engram.examples.consciousness.SystemMetrics},
 *       {@link dev.engram.examples.consciousness.ConsciousnessSummary} and
 *       {@link dev.engram.examples.consciousness.ActiveNeuralGroups}.</li>
 *   <li>Keys: {@link dev.engram.examples.consciousness.ConsciousnessKeys}; codecs and their ids:
 *       {@link dev.engram.examples.consciousness.ConsciousnessCodecs}.</li>
 *   <li>{@link dev.engram.examples.consciousness.ConsciousnessWorkload}: a deterministic workload, one delta per step,
 *       and its {@link dev.engram.examples.consciousness.ReferenceModel} to compare a recovered state with, byte for
 *       byte.</li>
 * </ul>
 */
package dev.engram.examples.consciousness;
