package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The codecs an application knows, by id (to read: the id is in each value's envelope) and by exact
 * type (to write). Starts with the built-ins, {@link RawBytesCodec} and {@link Utf8StringCodec}.
 * <p>
 * Lookups are lock-free and safe from any thread; registration is copy-on-write (rare: at start-up),
 * so a registry may be shared as soon as it is built.
 */
public final class CodecRegistry
{
    static
    {
        EngramSystemProperties.apply();
    }

    /** Ids below this are reserved for Engram's built-in codecs. */
    public static final int FIRST_APPLICATION_CODEC_ID = 256;

    private volatile Tables tables = new Tables(new Int2ObjectHashMap<>(), new HashMap<>());

    /**
     * A registry holding the built-in codecs.
     */
    public CodecRegistry()
    {
        add(RawBytesCodec.INSTANCE);
        add(Utf8StringCodec.INSTANCE);
    }

    /**
     * @param codec an application codec.
     * @return this.
     * @throws IllegalArgumentException if the codec's id is reserved or out of range, or its name, type or
     *                                  schema versions are not valid.
     * @throws IllegalStateException    if its id or its type is already registered.
     */
    public CodecRegistry register(final Codec<?> codec)
    {
        if (codec == null)
        {
            throw new IllegalArgumentException("codec must not be null");
        }
        if (codec.id() < FIRST_APPLICATION_CODEC_ID)
        {
            throw new IllegalArgumentException("codec name=" + codec.name() + " id=" + codec.id() +
                " is reserved for built-in codecs: application codec ids are in [" + FIRST_APPLICATION_CODEC_ID +
                ", " + ValueEnvelopeDescriptor.MAX_CODEC_ID + "]");
        }
        add(codec);
        return this;
    }

    /**
     * @param codecId an id from a value's envelope.
     * @return its codec, or null if none is registered.
     */
    public Codec<?> codec(final int codecId)
    {
        return tables.byId.get(codecId);
    }

    /**
     * @param type exact class of a value.
     * @param <T>  the type.
     * @return the codec that writes it, or null if none is registered.
     */
    @SuppressWarnings("unchecked")
    public <T> Codec<T> codecFor(final Class<T> type)
    {
        return (Codec<T>)tables.byType.get(type);
    }

    /**
     * @return the registered ids, ascending (for messages and tools).
     */
    public int[] codecIds()
    {
        final int[] ids = new int[tables.byId.size()];
        int i = 0;
        for (final Int2ObjectHashMap<Codec<?>>.KeyIterator it = tables.byId.keySet().iterator(); it.hasNext(); )
        {
            ids[i++] = it.nextInt();
        }
        Arrays.sort(ids);
        return ids;
    }

    Codec<?> require(final CharSequence key, final int codecId)
    {
        final Codec<?> codec = tables.byId.get(codecId);
        if (codec == null)
        {
            throw new UnknownCodecException(key, codecId, Arrays.toString(codecIds()));
        }
        return codec;
    }

    private synchronized void add(final Codec<?> codec)
    {
        ValueEnvelope.checkCodecId(codec.id());
        if (codec.name() == null || codec.name().isEmpty())
        {
            throw new IllegalArgumentException("codec id=" + codec.id() + " must have a name");
        }
        if (codec.type() == null)
        {
            throw new IllegalArgumentException("codec id=" + codec.id() + " name=" + codec.name() + " must have a type");
        }
        ValueEnvelope.checkSchemaVersion("currentSchemaVersion", codec.currentSchemaVersion());
        final int oldest = codec.oldestDecodableSchemaVersion();
        if (oldest < 1 || oldest > codec.currentSchemaVersion())
        {
            throw new IllegalArgumentException("codec id=" + codec.id() + " name=" + codec.name() +
                " oldestDecodableSchemaVersion=" + oldest + " must be in [1, currentSchemaVersion=" +
                codec.currentSchemaVersion() + "]");
        }
        final Tables current = tables;
        final Codec<?> sameId = current.byId.get(codec.id());
        if (sameId != null)
        {
            throw new IllegalStateException("codec id=" + codec.id() + " is already registered to name=" +
                sameId.name() + ", cannot register name=" + codec.name());
        }
        final Codec<?> sameType = current.byType.get(codec.type());
        if (sameType != null)
        {
            throw new IllegalStateException("type=" + codec.type().getName() + " already has codec id=" +
                sameType.id() + " name=" + sameType.name() + ", cannot register id=" + codec.id() + " name=" + codec.name());
        }
        final Int2ObjectHashMap<Codec<?>> byId = new Int2ObjectHashMap<>(current.byId);
        byId.put(codec.id(), codec);
        final Map<Class<?>, Codec<?>> byType = new HashMap<>(current.byType);
        byType.put(codec.type(), codec);
        tables = new Tables(byId, byType);
    }

    private static final class Tables
    {
        final Int2ObjectHashMap<Codec<?>> byId;
        final Map<Class<?>, Codec<?>> byType;

        Tables(final Int2ObjectHashMap<Codec<?>> byId, final Map<Class<?>, Codec<?>> byType)
        {
            this.byId = byId;
            this.byType = byType;
        }
    }
}
