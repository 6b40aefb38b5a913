package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.engram.engine.RecordLayoutDescriptor.*;

/**
 * One record class compiled once into what encoding and decoding it needs: per component its accessor (a
 * {@link MethodHandle}) and its {@link RecordValueCodec}, the canonical constructor, the shape string and its
 * fingerprint. Immutable and thread-safe; an encode allocates nothing of its own, a decode allocates the
 * constructor's argument array, boxes and the values themselves.
 */
final class RecordLayout
{
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private final Class<?> type;
    private final String[] names;
    private final RecordValueCodec[] codecs;
    private final MethodHandle[] accessors;
    private final MethodHandle constructor;
    private final String shape;
    private final long fingerprint;

    private RecordLayout(final Class<?> type, final List<Class<?>> enclosing)
    {
        if (type == null || !type.isRecord())
        {
            throw new IllegalArgumentException("type=" + type + " is not a record class");
        }
        if (enclosing.contains(type))
        {
            throw new IllegalArgumentException("record " + type.getName() + " contains itself (through " + enclosing +
                "): recursive records are not supported by RecordCodec");
        }
        final List<Class<?>> inside = new ArrayList<>(enclosing);
        inside.add(type);
        final RecordComponent[] components = type.getRecordComponents();
        this.type = type;
        this.names = new String[components.length];
        this.codecs = new RecordValueCodec[components.length];
        this.accessors = new MethodHandle[components.length];
        final Class<?>[] parameterTypes = new Class<?>[components.length];
        final StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < components.length; i++)
        {
            final RecordComponent component = components[i];
            names[i] = component.getName();
            codecs[i] = RecordValueCodecs.of(component.getGenericType(), type.getSimpleName() + "." + names[i], inside);
            accessors[i] = accessor(type, component.getAccessor()).asType(MethodType.methodType(codecs[i].accessorType(), Object.class));
            parameterTypes[i] = component.getType();
            shape.append(i == 0 ? "" : ",").append(names[i]).append(':').append(codecs[i].shape());
        }
        this.shape = shape.append(')').toString();
        this.fingerprint = RecordLayoutDescriptor.fingerprint(this.shape);
        this.constructor = canonicalConstructor(type, parameterTypes);
    }

    /**
     * @param type a record class.
     * @return its layout.
     * @throws IllegalArgumentException if it is not a record, has a component of an unsupported type, or its
     *                                  accessors or canonical constructor cannot be reached.
     */
    static RecordLayout of(final Class<?> type)
    {
        return new RecordLayout(type, List.of());
    }

    static RecordLayout of(final Class<?> type, final List<Class<?>> enclosing)
    {
        return new RecordLayout(type, enclosing);
    }

    Class<?> type()
    {
        return type;
    }

    /** @return the shape string (see {@link RecordLayoutDescriptor}). */
    String shape()
    {
        return shape;
    }

    long fingerprint()
    {
        return fingerprint;
    }

    int componentCount()
    {
        return names.length;
    }

    /**
     * Write the header and the components.
     *
     * @return the payload's length.
     */
    int encode(final Object record, final MutableDirectBuffer buffer, final int offset)
    {
        if (!type.isInstance(record))
        {
            throw new IllegalArgumentException("value of " + (record == null ? "null" : record.getClass().getName()) +
                " is not a " + type.getName());
        }
        buffer.putByte(offset + FORMAT_OFFSET, (byte)FORMAT_VERSION);
        buffer.putShort(offset + COMPONENT_COUNT_OFFSET, (short)names.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + FINGERPRINT_OFFSET, fingerprint, ByteOrder.LITTLE_ENDIAN);
        return writeComponents(record, buffer, offset + COMPONENTS_OFFSET) - offset;
    }

    /**
     * Read a payload, checking its header says it was written by this very shape and that it ends after the
     * last component.
     *
     * @throws RecordShapeException     if another shape wrote it.
     * @throws IllegalArgumentException if it is damaged or truncated.
     */
    Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < COMPONENTS_OFFSET)
        {
            throw new IllegalArgumentException("record payload length=" + length + " is shorter than its " +
                COMPONENTS_OFFSET + "-byte header");
        }
        final int format = buffer.getByte(offset + FORMAT_OFFSET) & 0xFF;
        if (format != FORMAT_VERSION)
        {
            throw new IllegalArgumentException("record layout format=" + format + " is not the one this code reads (" +
                FORMAT_VERSION + ")" + (format > FORMAT_VERSION ? ": written by a newer Engram, upgrade it" : ""));
        }
        final int storedCount = buffer.getShort(offset + COMPONENT_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final long storedFingerprint = buffer.getLong(offset + FINGERPRINT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (storedCount != names.length || storedFingerprint != fingerprint)
        {
            throw new RecordShapeException(this, storedCount, storedFingerprint);
        }
        final RecordInput in = new RecordInput(buffer, offset + COMPONENTS_OFFSET, length - COMPONENTS_OFFSET);
        final Object value = readComponents(in);
        if (in.remaining() != 0)
        {
            throw new IllegalArgumentException("record payload has " + in.remaining() + " bytes after its last component" +
                " (payload length=" + length + "): damaged");
        }
        return value;
    }

    int writeComponents(final Object record, final MutableDirectBuffer buffer, final int offset)
    {
        int at = offset;
        for (int i = 0; i < codecs.length; i++)
        {
            try
            {
                at = codecs[i].writeComponent(accessors[i], record, buffer, at);
            }
            catch (final RuntimeException | Error ex)
            {
                throw new IllegalArgumentException("cannot encode component " + names[i] + " (" + codecs[i].shape() +
                    ") of " + type.getName() + ": " + ex.getMessage(), ex);
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("accessor of component " + names[i] + " of " + type.getName() + " threw " + ex, ex);
            }
        }
        return at;
    }

    Object readComponents(final RecordInput in)
    {
        final Object[] args = new Object[codecs.length];
        for (int i = 0; i < codecs.length; i++)
        {
            final int at = in.offset();
            try
            {
                args[i] = codecs[i].read(in);
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("component " + names[i] + " (" + codecs[i].shape() + ") of " +
                    type.getName() + " at payload offset=" + at + ": " + ex.getMessage(), ex);
            }
        }
        try
        {
            return (Object)constructor.invokeExact(args);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("canonical constructor of " + type.getName() +
                " refused the stored values: " + ex, ex);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("canonical constructor of " + type.getName() + " threw " + ex, ex);
        }
    }

    private static MethodHandle accessor(final Class<?> type, final Method method)
    {
        try
        {
            method.setAccessible(true);
            return LOOKUP.unreflect(method);
        }
        catch (final RuntimeException | IllegalAccessException ex)
        {
            throw new IllegalArgumentException("cannot reach accessor " + method.getName() + "() of record " + type.getName() +
                ": make the record accessible to module dev.engram.engine (public, or its package opened): " + ex, ex);
        }
    }

    private static MethodHandle canonicalConstructor(final Class<?> type, final Class<?>[] parameterTypes)
    {
        try
        {
            final Constructor<?> constructor = type.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
            return LOOKUP.unreflectConstructor(constructor)
                .asSpreader(Object[].class, parameterTypes.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        }
        catch (final RuntimeException | ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot reach the canonical constructor of record " + type.getName() +
                ": make the record accessible to module dev.engram.engine (public, or its package opened): " + ex, ex);
        }
    }
}
