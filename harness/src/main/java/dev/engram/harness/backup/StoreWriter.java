package dev.engram.harness.backup;

/**
 * Where the workload's PUTs and PATCHes go: each system applies the same changes to the same keys.
 */
interface StoreWriter
{
    /** PUT {@code value} at key {@code user/<k>}. @return the version, or -1 when the store has none. */
    long put(int k, byte[] value) throws Exception;

    /**
     * PATCH {@code patch} at {@code offset} into the value of {@code user/<k>}; {@code wholeValue} is the value after it
     * (a store without PATCH writes that). @return the version, or -1.
     */
    long patch(int k, int offset, byte[] patch, byte[] wholeValue) throws Exception;
}
