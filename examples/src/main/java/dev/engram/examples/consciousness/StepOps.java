package dev.engram.examples.consciousness;


/**
 * Receives the ops of one workload step, in order: the engine's delta builder or the reference model.
 * Arrays passed in are the receiver's to keep.
 */
interface StepOps
{
    /** PUT a population header (its encoding depends on the application release writing it). */
    void putHeader(String key, PopulationHeader header);

    /** PUT a typed value, encoded by its registered codec. */
    void put(String key, Object value);

    /** PATCH bytes at a byte offset of the stored (enveloped) value. */
    void patch(String key, long offset, byte[] data);

    /** DELETE. */
    void delete(String key);
}
