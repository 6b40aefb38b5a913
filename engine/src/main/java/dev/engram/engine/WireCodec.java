package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.FieldInfo;
import net.openhft.chronicle.wire.Marshallable;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;
import net.openhft.chronicle.wire.WireType;
import net.openhft.chronicle.wire.Wires;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/**
 * A structured codec that tolerates added and removed fields: a {@link Marshallable} application class
 * (usually a {@code SelfDescribingMarshallable}) in Chronicle Wire's self-describing {@link WireType#BINARY}
 * form, which stores each field's name with its value and no class name at the top level.
 * <ul>
 *   <li>Newer code reading older data: fields the data lacks keep the value a freshly constructed
 *       instance gives them (the no-argument constructor and field initialisers run; this codec restores
 *       them itself where Chronicle would leave a collection or map null).</li>
 *   <li>Older code reading newer data: fields it does not know are skipped.</li>
 * </ul>
 * So adding or removing a field is <em>not</em> a schema change: keep {@link #currentSchemaVersion()}.
 * Bump it only for a change the tolerance cannot absorb (a rename, a new meaning, an incompatible type),
 * together with a {@link Migration}; older code then refuses the newer data instead of misreading it.
 * This codec reads every version from {@link #oldestDecodableSchemaVersion()} (1 unless told otherwise)
 * directly. Limits are listed in docs/typed-values.md.
 * <p>
 * Thread-safe: each thread encodes and decodes through its own scratch Chronicle {@code Bytes}, kept
 * for reuse (it grows to the thread's largest value).
 *
 * @param <T> the application class.
 */
public final class WireCodec<T extends Marshallable> implements Codec<T>
{
    static
    {
        EngramSystemProperties.apply();
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int id;
    private final String name;
    private final Class<T> type;
    private final int currentSchemaVersion;
    private final int oldestDecodableSchemaVersion;
    private final Constructor<T> constructor;
    /** Null when the class marshals itself: then it also keeps its own defaults for absent fields. */
    private final List<FieldInfo> fields;

    private WireCodec(
        final int id,
        final String name,
        final Class<T> type,
        final int currentSchemaVersion,
        final int oldestDecodableSchemaVersion)
    {
        ValueEnvelope.checkCodecId(id);
        ValueEnvelope.checkSchemaVersion("currentSchemaVersion", currentSchemaVersion);
        if (oldestDecodableSchemaVersion < 1 || oldestDecodableSchemaVersion > currentSchemaVersion)
        {
            throw new IllegalArgumentException("oldestDecodableSchemaVersion=" + oldestDecodableSchemaVersion +
                " must be in [1, currentSchemaVersion=" + currentSchemaVersion + "]");
        }
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("codec id=" + id + " must have a name");
        }
        if (type == null || type.isInterface() || Modifier.isAbstract(type.getModifiers()))
        {
            throw new IllegalArgumentException("type=" + type + " must be a concrete Marshallable class");
        }
        this.id = id;
        this.name = name;
        this.type = type;
        this.currentSchemaVersion = currentSchemaVersion;
        this.oldestDecodableSchemaVersion = oldestDecodableSchemaVersion;
        this.constructor = noArgConstructor(type);
        final T probe = newInstance();
        if (!probe.usesSelfDescribingMessage())
        {
            throw new IllegalArgumentException("type=" + type.getName() + " is not self-describing" +
                " (usesSelfDescribingMessage()=false): its fields would be stored without names, so added or" +
                " removed fields could not be tolerated; extend SelfDescribingMarshallable");
        }
        this.fields = marshalsFieldByField(type) ? Wires.fieldInfos(type) : null;
    }

    /**
     * A codec that reads every schema version from 1 to {@code currentSchemaVersion} directly.
     *
     * @param id                   application codec id, in [{@link CodecRegistry#FIRST_APPLICATION_CODEC_ID}, 65535].
     * @param name                 short name for messages.
     * @param type                 a concrete self-describing Marshallable class with a no-argument constructor.
     * @param currentSchemaVersion the version it writes.
     * @param <T>                  the class.
     * @return the codec.
     */
    public static <T extends Marshallable> WireCodec<T> of(
        final int id, final String name, final Class<T> type, final int currentSchemaVersion)
    {
        return new WireCodec<>(id, name, type, currentSchemaVersion, 1);
    }

    /**
     * A codec that reads versions from {@code oldestDecodableSchemaVersion} to {@code currentSchemaVersion}
     * directly; older payloads need {@link Migration}s.
     *
     * @param id                           application codec id.
     * @param name                         short name for messages.
     * @param type                         a concrete self-describing Marshallable class with a no-argument constructor.
     * @param currentSchemaVersion         the version it writes.
     * @param oldestDecodableSchemaVersion the oldest version it reads without migrations.
     * @param <T>                          the class.
     * @return the codec.
     */
    public static <T extends Marshallable> WireCodec<T> of(
        final int id,
        final String name,
        final Class<T> type,
        final int currentSchemaVersion,
        final int oldestDecodableSchemaVersion)
    {
        return new WireCodec<>(id, name, type, currentSchemaVersion, oldestDecodableSchemaVersion);
    }

    @Override
    public int id()
    {
        return id;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Class<T> type()
    {
        return type;
    }

    @Override
    public int currentSchemaVersion()
    {
        return currentSchemaVersion;
    }

    @Override
    public int oldestDecodableSchemaVersion()
    {
        return oldestDecodableSchemaVersion;
    }

    @Override
    public int encode(final T value, final MutableDirectBuffer buffer, final int offset)
    {
        final Scratch scratch = Scratch.acquire();
        try
        {
            final Wire wire = scratch.wire;
            wire.clear();
            value.writeMarshallable(wire);
            final Bytes<?> bytes = wire.bytes();
            final int length = Math.toIntExact(bytes.readRemaining());
            final byte[] array = scratch.array(length);
            bytes.read(array, 0, length);
            buffer.putBytes(offset, array, 0, length);
            return length;
        }
        finally
        {
            scratch.release();
        }
    }

    @Override
    public T decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        if (schemaVersion < oldestDecodableSchemaVersion || schemaVersion > currentSchemaVersion)
        {
            throw new IllegalArgumentException("codec id=" + id + " name=" + name + " decodes schema versions " +
                oldestDecodableSchemaVersion + ".." + currentSchemaVersion + ", not schemaVersion=" + schemaVersion);
        }
        final Scratch scratch = Scratch.acquire();
        try
        {
            final byte[] array = scratch.array(length);
            buffer.getBytes(offset, array, 0, length);
            final Wire wire = scratch.wire;
            wire.clear();
            wire.bytes().write(array, 0, length);
            final T value = newInstance();
            value.readMarshallable(wire);
            if (fields != null)
            {
                wire.bytes().readPosition(0);
                restoreAbsentFields(value, wire, scratch);
            }
            return value;
        }
        finally
        {
            scratch.release();
        }
    }

    @Override
    public String toString()
    {
        return "WireCodec{id=" + id + ", name=" + name + ", type=" + type.getName() + ", schemaVersion=" +
            oldestDecodableSchemaVersion + ".." + currentSchemaVersion + "}";
    }

    /**
     * Give every field the payload does not hold the value a fresh instance has. Chronicle already does
     * this for most fields, but leaves an absent collection or map null (or empty), not as initialised.
     */
    private void restoreAbsentFields(final T value, final WireIn wire, final Scratch scratch)
    {
        final int fieldCount = fields.size();
        final boolean[] present = scratch.present(fieldCount);
        final StringBuilder fieldName = scratch.fieldName;
        final Bytes<?> bytes = wire.bytes();
        while (bytes.readRemaining() > 0)
        {
            final ValueIn in = wire.read(fieldName);
            in.skipValue();
            for (int i = 0; i < fieldCount; i++)
            {
                if (!present[i] && contentEquals(fieldName, fields.get(i).name()))
                {
                    present[i] = true;
                    break;
                }
            }
        }
        T defaults = null;
        for (int i = 0; i < fieldCount; i++)
        {
            if (!present[i])
            {
                if (defaults == null)
                {
                    defaults = newInstance();
                }
                fields.get(i).copy(defaults, value);
            }
        }
    }

    private static boolean contentEquals(final StringBuilder a, final String b)
    {
        if (a.length() != b.length())
        {
            return false;
        }
        for (int i = 0, n = a.length(); i < n; i++)
        {
            if (a.charAt(i) != b.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private T newInstance()
    {
        try
        {
            return constructor.newInstance();
        }
        catch (final InvocationTargetException ex)
        {
            throw new IllegalStateException("constructor of type=" + type.getName() + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot construct type=" + type.getName() + ": " + ex, ex);
        }
    }

    private static <T> Constructor<T> noArgConstructor(final Class<T> type)
    {
        try
        {
            final Constructor<T> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor;
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("type=" + type.getName() + " needs a no-argument constructor:" +
                " fields absent from stored data take the values a new instance has", ex);
        }
    }

    /**
     * @return true if the class uses Chronicle's field-by-field marshalling in both directions (it does not
     * override readMarshallable or writeMarshallable itself).
     */
    private static boolean marshalsFieldByField(final Class<?> type)
    {
        try
        {
            final Class<?> reader = type.getMethod("readMarshallable", WireIn.class).getDeclaringClass();
            final Class<?> writer = type.getMethod("writeMarshallable", WireOut.class).getDeclaringClass();
            return isChronicle(reader) && isChronicle(writer);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("type=" + type.getName() + " is not Marshallable", ex);
        }
    }

    private static boolean isChronicle(final Class<?> type)
    {
        return type.getName().startsWith("net.openhft.chronicle.");
    }

    /**
     * One thread's buffers. A codec called from inside another codec on the same thread (a class whose
     * own marshalling encodes a nested value through a codec) gets a fresh set instead of the busy one.
     */
    private static final class Scratch
    {
        final Wire wire = WireType.BINARY.apply(Bytes.allocateElasticOnHeap(256));
        final StringBuilder fieldName = new StringBuilder();
        private byte[] array = new byte[256];
        private boolean[] present = new boolean[0];
        private boolean inUse;

        static Scratch acquire()
        {
            final Scratch scratch = SCRATCH.get();
            if (scratch.inUse)
            {
                final Scratch nested = new Scratch();
                nested.inUse = true;
                return nested;
            }
            scratch.inUse = true;
            return scratch;
        }

        void release()
        {
            inUse = false;
        }

        byte[] array(final int length)
        {
            if (array.length < length)
            {
                array = new byte[Math.max(length, array.length * 2)];
            }
            return array;
        }

        boolean[] present(final int fieldCount)
        {
            if (present.length < fieldCount)
            {
                present = new boolean[fieldCount];
            }
            Arrays.fill(present, 0, fieldCount, false);
            return present;
        }
    }
}
