package dev.engram.engine;

import org.agrona.MutableDirectBuffer;

import java.lang.invoke.MethodHandle;

/**
 * The encoding of one Java type inside a {@link RecordCodec} payload (see {@link RecordLayoutDescriptor}):
 * a primitive, a box, a String, an array, an enum, an Instant, a nested record, a List or a Map. Immutable.
 */
interface RecordValueCodec
{
    /**
     * @return the type's part of the shape string, e.g. {@code int}, {@code List<String>}.
     */
    String shape();

    /**
     * @param value  of the type (null allowed for reference types).
     * @param buffer expandable, or with room.
     * @param offset where to write.
     * @return the offset after the value.
     */
    int write(Object value, MutableDirectBuffer buffer, int offset);

    /**
     * @param in positioned at the value.
     * @return the value (boxed for a primitive).
     */
    Object read(RecordInput in);

    /**
     * @return the return type a record accessor is adapted to for {@link #writeComponent}: the primitive
     * itself for primitives (no boxing on encode), else Object.
     */
    default Class<?> accessorType()
    {
        return Object.class;
    }

    /**
     * Write one component of a record.
     *
     * @param accessor the component's accessor adapted to {@code (Object)accessorType()}.
     * @param record   the record.
     * @param buffer   where to write.
     * @param offset   where to write.
     * @return the offset after the value.
     * @throws Throwable what the accessor throws.
     */
    default int writeComponent(final MethodHandle accessor, final Object record, final MutableDirectBuffer buffer, final int offset)
        throws Throwable
    {
        return write((Object)accessor.invokeExact(record), buffer, offset);
    }
}
