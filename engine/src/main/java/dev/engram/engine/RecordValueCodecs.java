package dev.engram.engine;

import dev.engram.journal.internal.Utf8;
import org.agrona.MutableDirectBuffer;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.engram.engine.RecordLayoutDescriptor.NULL;
import static dev.engram.engine.RecordLayoutDescriptor.NULL_LENGTH;
import static dev.engram.engine.RecordLayoutDescriptor.PRESENT;

/**
 * Finds the {@link RecordValueCodec} of a component's declared type, or refuses the type with a message
 * naming the component and what is supported. The encodings are those of {@link RecordLayoutDescriptor}.
 */
final class RecordValueCodecs
{
    static final String SUPPORTED = "primitives and their boxes, String, enums, byte[], int[], long[], float[], double[], " +
        "java.time.Instant, records, List<T> and Map<String, T> of these";

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private RecordValueCodecs()
    {
    }

    /**
     * @param type      a component's generic type, or a List element's or Map value's.
     * @param where     the component, for messages.
     * @param enclosing records being laid out around this one (a record may not contain itself).
     * @return its codec.
     * @throws IllegalArgumentException if the type is not supported.
     */
    static RecordValueCodec of(final Type type, final String where, final List<Class<?>> enclosing)
    {
        if (type instanceof ParameterizedType parameterized)
        {
            final Type raw = parameterized.getRawType();
            final Type[] args = parameterized.getActualTypeArguments();
            if (raw == List.class)
            {
                return new ListCodec(of(args[0], where + "<element>", enclosing));
            }
            if (raw == Map.class && args[0] == String.class)
            {
                return new MapCodec(of(args[1], where + "<value>", enclosing));
            }
            throw unsupported(type, where);
        }
        if (!(type instanceof Class<?> c))
        {
            throw unsupported(type, where);
        }
        if (c.isPrimitive())
        {
            return primitive(c);
        }
        final Class<?> unboxed = unboxed(c);
        if (unboxed != null)
        {
            return new Boxed((Primitive)primitive(unboxed), c.getSimpleName());
        }
        if (c == String.class)
        {
            return STRING;
        }
        if (c.isEnum())
        {
            return new EnumCodec(c);
        }
        if (c == byte[].class)
        {
            return BYTES;
        }
        if (c == int[].class || c == long[].class || c == float[].class || c == double[].class)
        {
            return new NumberArray(c);
        }
        if (c == Instant.class)
        {
            return INSTANT;
        }
        if (c.isRecord())
        {
            return new Nested(RecordLayout.of(c, enclosing));
        }
        throw unsupported(type, where);
    }

    private static IllegalArgumentException unsupported(final Type type, final String where)
    {
        return new IllegalArgumentException("component " + where + " has type " + type.getTypeName() +
            ", which RecordCodec does not encode; supported: " + SUPPORTED +
            " (no type variables, wildcards, interfaces or Object: the declared type decides the encoding)");
    }

    private static Class<?> unboxed(final Class<?> c)
    {
        if (c == Boolean.class) return boolean.class;
        if (c == Byte.class) return byte.class;
        if (c == Short.class) return short.class;
        if (c == Character.class) return char.class;
        if (c == Integer.class) return int.class;
        if (c == Long.class) return long.class;
        if (c == Float.class) return float.class;
        if (c == Double.class) return double.class;
        return null;
    }

    private static RecordValueCodec primitive(final Class<?> c)
    {
        if (c == boolean.class) return BOOLEAN;
        if (c == byte.class) return BYTE;
        if (c == short.class) return SHORT;
        if (c == char.class) return CHAR;
        if (c == int.class) return INT;
        if (c == long.class) return LONG;
        if (c == float.class) return FLOAT;
        if (c == double.class) return DOUBLE;
        throw new IllegalArgumentException("not a value type: " + c);
    }

    /** A primitive: its encoding without a presence byte. */
    private abstract static class Primitive implements RecordValueCodec
    {
        private final String shape;
        private final Class<?> type;

        Primitive(final String shape, final Class<?> type)
        {
            this.shape = shape;
            this.type = type;
        }

        @Override
        public String shape()
        {
            return shape;
        }

        @Override
        public Class<?> accessorType()
        {
            return type;
        }
    }

    private static final Primitive BOOLEAN = new Primitive("boolean", boolean.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putByte(o, (Boolean)v ? (byte)1 : (byte)0);
            return o + 1;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putByte(o, (boolean)a.invokeExact(r) ? (byte)1 : (byte)0);
            return o + 1;
        }

        public Object read(final RecordInput in)
        {
            return in.readBoolean();
        }
    };

    private static final Primitive BYTE = new Primitive("byte", byte.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putByte(o, (Byte)v);
            return o + 1;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putByte(o, (byte)a.invokeExact(r));
            return o + 1;
        }

        public Object read(final RecordInput in)
        {
            return in.readByte();
        }
    };

    private static final Primitive SHORT = new Primitive("short", short.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putShort(o, (Short)v, LE);
            return o + 2;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putShort(o, (short)a.invokeExact(r), LE);
            return o + 2;
        }

        public Object read(final RecordInput in)
        {
            return in.readShort();
        }
    };

    private static final Primitive CHAR = new Primitive("char", char.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putChar(o, (Character)v, LE);
            return o + 2;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putChar(o, (char)a.invokeExact(r), LE);
            return o + 2;
        }

        public Object read(final RecordInput in)
        {
            return in.readChar();
        }
    };

    private static final Primitive INT = new Primitive("int", int.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putInt(o, (Integer)v, LE);
            return o + 4;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putInt(o, (int)a.invokeExact(r), LE);
            return o + 4;
        }

        public Object read(final RecordInput in)
        {
            return in.readInt();
        }
    };

    private static final Primitive LONG = new Primitive("long", long.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putLong(o, (Long)v, LE);
            return o + 8;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putLong(o, (long)a.invokeExact(r), LE);
            return o + 8;
        }

        public Object read(final RecordInput in)
        {
            return in.readLong();
        }
    };

    private static final Primitive FLOAT = new Primitive("float", float.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putInt(o, Float.floatToRawIntBits((Float)v), LE);
            return o + 4;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putInt(o, Float.floatToRawIntBits((float)a.invokeExact(r)), LE);
            return o + 4;
        }

        public Object read(final RecordInput in)
        {
            return Float.intBitsToFloat(in.readInt());
        }
    };

    private static final Primitive DOUBLE = new Primitive("double", double.class)
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            b.putLong(o, Double.doubleToRawLongBits((Double)v), LE);
            return o + 8;
        }

        public int writeComponent(final MethodHandle a, final Object r, final MutableDirectBuffer b, final int o) throws Throwable
        {
            b.putLong(o, Double.doubleToRawLongBits((double)a.invokeExact(r)), LE);
            return o + 8;
        }

        public Object read(final RecordInput in)
        {
            return Double.longBitsToDouble(in.readLong());
        }
    };

    /** A box: presence byte, then the primitive. */
    private record Boxed(Primitive primitive, String shape) implements RecordValueCodec
    {
        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putByte(o, NULL);
                return o + 1;
            }
            b.putByte(o, PRESENT);
            return primitive.write(v, b, o + 1);
        }

        public Object read(final RecordInput in)
        {
            return in.readPresence() ? primitive.read(in) : null;
        }
    }

    private static final RecordValueCodec STRING = new RecordValueCodec()
    {
        public String shape()
        {
            return "String";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            return writeString((String)v, b, o);
        }

        public Object read(final RecordInput in)
        {
            return readString(in);
        }
    };

    static int writeString(final String s, final MutableDirectBuffer b, final int o)
    {
        if (s == null)
        {
            b.putInt(o, NULL_LENGTH, LE);
            return o + 4;
        }
        final int length;
        try
        {
            length = Utf8.encodedLength(s);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("string cannot be stored as UTF-8: " +
                ex.getMessage().replace("key has", "it has"), ex);
        }
        b.checkLimit(o + 4 + length);
        b.putInt(o, length, LE);
        Utf8.encode(s, b, o + 4);
        return o + 4 + length;
    }

    static String readString(final RecordInput in)
    {
        final int length = in.readCount(1);
        if (length == NULL_LENGTH)
        {
            return null;
        }
        return in.buffer().getStringWithoutLengthUtf8(in.take(length), length);
    }

    /** An enum, by name: constants may be reordered or added. */
    private record EnumCodec(Class<?> type) implements RecordValueCodec
    {
        public String shape()
        {
            return "enum";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            return writeString(v == null ? null : ((Enum<?>)v).name(), b, o);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object read(final RecordInput in)
        {
            final String name = readString(in);
            if (name == null)
            {
                return null;
            }
            try
            {
                return Enum.valueOf((Class)type, name);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("enum " + type.getName() + " has no constant " + name +
                    " (stored by name: a constant was renamed or removed; map it in a migration)", ex);
            }
        }
    }

    private static final RecordValueCodec BYTES = new RecordValueCodec()
    {
        public String shape()
        {
            return "byte[]";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putInt(o, NULL_LENGTH, LE);
                return o + 4;
            }
            final byte[] bytes = (byte[])v;
            b.putInt(o, bytes.length, LE);
            b.putBytes(o + 4, bytes);
            return o + 4 + bytes.length;
        }

        public Object read(final RecordInput in)
        {
            final int length = in.readCount(1);
            if (length == NULL_LENGTH)
            {
                return null;
            }
            final byte[] bytes = new byte[length];
            in.buffer().getBytes(in.take(length), bytes);
            return bytes;
        }
    };

    /** int[], long[], float[] or double[]: count, then the elements. */
    private record NumberArray(Class<?> type) implements RecordValueCodec
    {
        public String shape()
        {
            return type.getComponentType().getName() + "[]";
        }

        private int elementSize()
        {
            return type == int[].class || type == float[].class ? 4 : 8;
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putInt(o, NULL_LENGTH, LE);
                return o + 4;
            }
            final int count = java.lang.reflect.Array.getLength(v);
            final long longEnd = o + 4L + (long)count * elementSize();
            if (longEnd > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(shape() + " of " + count + " elements does not fit a value (2 GiB)");
            }
            final int end = (int)longEnd;
            b.checkLimit(end);
            b.putInt(o, count, LE);
            int at = o + 4;
            if (v instanceof int[] a)
            {
                for (final int x : a)
                {
                    b.putInt(at, x, LE);
                    at += 4;
                }
            }
            else if (v instanceof long[] a)
            {
                for (final long x : a)
                {
                    b.putLong(at, x, LE);
                    at += 8;
                }
            }
            else if (v instanceof float[] a)
            {
                for (final float x : a)
                {
                    b.putInt(at, Float.floatToRawIntBits(x), LE);
                    at += 4;
                }
            }
            else
            {
                for (final double x : (double[])v)
                {
                    b.putLong(at, Double.doubleToRawLongBits(x), LE);
                    at += 8;
                }
            }
            return end;
        }

        public Object read(final RecordInput in)
        {
            final int count = in.readCount(elementSize());
            if (count == NULL_LENGTH)
            {
                return null;
            }
            int at = in.take((long)count * elementSize());
            final org.agrona.DirectBuffer b = in.buffer();
            if (type == int[].class)
            {
                final int[] a = new int[count];
                for (int i = 0; i < count; i++, at += 4)
                {
                    a[i] = b.getInt(at, LE);
                }
                return a;
            }
            if (type == long[].class)
            {
                final long[] a = new long[count];
                for (int i = 0; i < count; i++, at += 8)
                {
                    a[i] = b.getLong(at, LE);
                }
                return a;
            }
            if (type == float[].class)
            {
                final float[] a = new float[count];
                for (int i = 0; i < count; i++, at += 4)
                {
                    a[i] = Float.intBitsToFloat(b.getInt(at, LE));
                }
                return a;
            }
            final double[] a = new double[count];
            for (int i = 0; i < count; i++, at += 8)
            {
                a[i] = Double.longBitsToDouble(b.getLong(at, LE));
            }
            return a;
        }
    }

    private static final RecordValueCodec INSTANT = new RecordValueCodec()
    {
        public String shape()
        {
            return "Instant";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putByte(o, NULL);
                return o + 1;
            }
            final Instant instant = (Instant)v;
            b.putByte(o, PRESENT);
            b.putLong(o + 1, instant.getEpochSecond(), LE);
            b.putInt(o + 9, instant.getNano(), LE);
            return o + 13;
        }

        public Object read(final RecordInput in)
        {
            if (!in.readPresence())
            {
                return null;
            }
            final long seconds = in.readLong();
            final int nanos = in.readInt();
            return Instant.ofEpochSecond(seconds, nanos);
        }
    };

    /** A nested record: presence byte, then its components. */
    private record Nested(RecordLayout layout) implements RecordValueCodec
    {
        public String shape()
        {
            return layout.shape();
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putByte(o, NULL);
                return o + 1;
            }
            b.putByte(o, PRESENT);
            return layout.writeComponents(v, b, o + 1);
        }

        public Object read(final RecordInput in)
        {
            return in.readPresence() ? layout.readComponents(in) : null;
        }
    }

    private record ListCodec(RecordValueCodec element) implements RecordValueCodec
    {
        public String shape()
        {
            return "List<" + element.shape() + ">";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putInt(o, NULL_LENGTH, LE);
                return o + 4;
            }
            final List<?> list = (List<?>)v;
            b.putInt(o, list.size(), LE);
            int at = o + 4;
            int i = 0;
            for (final Object e : list)
            {
                try
                {
                    at = element.write(e, b, at);
                }
                catch (final RuntimeException ex)
                {
                    throw new IllegalArgumentException("element " + i + ": " + ex.getMessage(), ex);
                }
                i++;
            }
            if (i != list.size())
            {
                throw new IllegalArgumentException("list changed while it was encoded: size " + list.size() + ", " + i + " elements");
            }
            return at;
        }

        public Object read(final RecordInput in)
        {
            final int count = in.readCount(1);
            if (count == NULL_LENGTH)
            {
                return null;
            }
            final List<Object> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                list.add(element.read(in));
            }
            return Collections.unmodifiableList(list);
        }
    }

    private record MapCodec(RecordValueCodec value) implements RecordValueCodec
    {
        public String shape()
        {
            return "Map<String," + value.shape() + ">";
        }

        public int write(final Object v, final MutableDirectBuffer b, final int o)
        {
            if (v == null)
            {
                b.putInt(o, NULL_LENGTH, LE);
                return o + 4;
            }
            final Map<?, ?> map = (Map<?, ?>)v;
            b.putInt(o, map.size(), LE);
            int at = o + 4;
            int i = 0;
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                if (e.getKey() == null)
                {
                    throw new IllegalArgumentException("map has a null key: Map<String, T> keys must not be null");
                }
                at = writeString((String)e.getKey(), b, at);
                try
                {
                    at = value.write(e.getValue(), b, at);
                }
                catch (final RuntimeException ex)
                {
                    throw new IllegalArgumentException("value of key " + e.getKey() + ": " + ex.getMessage(), ex);
                }
                i++;
            }
            if (i != map.size())
            {
                throw new IllegalArgumentException("map changed while it was encoded: size " + map.size() + ", " + i + " entries");
            }
            return at;
        }

        public Object read(final RecordInput in)
        {
            final int count = in.readCount(5);
            if (count == NULL_LENGTH)
            {
                return null;
            }
            final Map<String, Object> map = new LinkedHashMap<>(Math.max(4, count * 4 / 3 + 1));
            for (int i = 0; i < count; i++)
            {
                final String key = readString(in);
                if (key == null)
                {
                    throw new IllegalArgumentException("map entry " + i + " has a null key: payload damaged");
                }
                map.put(key, value.read(in));
            }
            return Collections.unmodifiableMap(map);
        }
    }
}
