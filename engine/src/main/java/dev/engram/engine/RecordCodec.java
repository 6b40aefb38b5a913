package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A codec for a Java record, without buffer code: its components are written in declaration order in the
 * documented layout of {@link RecordLayoutDescriptor}, behind a header holding the record's component count
 * and shape fingerprint, so a payload written by another shape of the record is refused
 * ({@link RecordShapeException}) instead of misread.
 * <pre>{@code
 * record Player(String name, int level, double score, boolean online, Instant joined, List<String> tags) { }
 *
 * RecordCodec.of(Player.class).registerIn(ctx);          // id derived from the class name
 * RecordCodec.of(Player.class, 300).registerIn(ctx);     // or an id of your own
 * }</pre>
 * <b>Codec id.</b> {@link #of(Class, int)} takes one in [256, 65535]. {@link #of(Class)} derives one from the
 * fully-qualified class name ({@link #derivedId(String)}): stable across runs and builds, but renaming or
 * moving the class changes it (pin it then with {@code of(type, RecordCodec.derivedId("old.Name"))}), and two
 * classes may derive the same id (about 1 in 65,280 per pair): the {@link CodecRegistry} refuses the second
 * with both names; give one of them an explicit id.
 * <p>
 * <b>Schema versions.</b> Change a record's components, and the stored values of the old shape no longer
 * match. Keep the class name for the current shape, copy the old shape into a record of its own, bump the
 * version and say how an old value becomes a new one:
 * <pre>{@code
 * record PlayerV1(String name, int level) { }
 * record Player(String name, int level, double score) { }
 * RecordCodec.of(Player.class).version(2).migrateFrom(PlayerV1.class, 1, v1 -> new Player(v1.name(), v1.level(), 0.0))
 *     .registerIn(ctx);
 * }</pre>
 * Each step maps the record of version n to the record of version n + 1 (the current record class for the last
 * step); {@link #migrations()} turns them into ordinary {@link Migration}s of the {@link MigrationRegistry}
 * (a step decodes the payload with the old record's layout, applies the function, encodes with the next one),
 * so reads upgrade on the fly and {@code Engram.migrate} rewrites stored values, like any codec's.
 * <p>
 * Immutable and thread-safe: {@link #version}, {@link #name} and {@link #migrateFrom} return new codecs. The
 * record's accessors and canonical constructor are looked up once, as method handles.
 *
 * @param <R> the record.
 */
public final class RecordCodec<R extends Record> implements Codec<R>
{
    /** One old shape and how its values become the next version's. */
    private record Step(int fromVersion, RecordLayout layout, Function<Object, ?> function)
    {
    }

    private final int id;
    private final String name;
    private final Class<R> type;
    private final int version;
    private final RecordLayout layout;
    private final Map<Integer, Step> steps;

    private RecordCodec(
        final int id, final String name, final Class<R> type, final int version, final RecordLayout layout, final Map<Integer, Step> steps)
    {
        ValueEnvelope.checkCodecId(id);
        ValueEnvelope.checkSchemaVersion("version", version);
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("codec id=" + id + " of " + type.getName() + " must have a name");
        }
        this.id = id;
        this.name = name;
        this.type = type;
        this.version = version;
        this.layout = layout;
        this.steps = steps;
    }

    /**
     * A codec with the id {@link #derivedId(String)} of the record's class name, named by its simple name, at
     * schema version 1.
     *
     * @param type a record class whose components are all of supported types.
     * @param <R>  the record.
     * @return the codec.
     * @throws IllegalArgumentException if the record has a component of an unsupported type (the message names it)
     *                                  or its accessors or canonical constructor cannot be reached.
     */
    public static <R extends Record> RecordCodec<R> of(final Class<R> type)
    {
        requireRecord(type);
        return of(type, derivedId(type.getName()));
    }

    /**
     * @param type a record class whose components are all of supported types.
     * @param id   the codec id in [{@link CodecRegistry#FIRST_APPLICATION_CODEC_ID}, 65535].
     * @param <R>  the record.
     * @return the codec, named by the class's simple name, at schema version 1.
     */
    public static <R extends Record> RecordCodec<R> of(final Class<R> type, final int id)
    {
        requireRecord(type);
        if (id < CodecRegistry.FIRST_APPLICATION_CODEC_ID)
        {
            throw new IllegalArgumentException("codec id=" + id + " of " + type.getName() + " is reserved for built-in codecs:" +
                " application codec ids are in [" + CodecRegistry.FIRST_APPLICATION_CODEC_ID + ", " +
                ValueEnvelopeDescriptor.MAX_CODEC_ID + "]");
        }
        return new RecordCodec<>(id, type.getSimpleName(), type, 1, RecordLayout.of(type), Map.of());
    }

    /**
     * The id {@link #of(Class)} gives a class: 256 + (FNV-1a 64 of the UTF-8 class name, unsigned, modulo 65,280).
     *
     * @param className a fully-qualified class name ({@link Class#getName()}).
     * @return an id in [256, 65535].
     */
    public static int derivedId(final String className)
    {
        final int span = ValueEnvelopeDescriptor.MAX_CODEC_ID + 1 - CodecRegistry.FIRST_APPLICATION_CODEC_ID;
        return CodecRegistry.FIRST_APPLICATION_CODEC_ID +
            (int)Long.remainderUnsigned(RecordLayoutDescriptor.fingerprint(className), span);
    }

    /**
     * @param version the schema version this codec writes (1 by default); older versions need
     *                {@link #migrateFrom} steps.
     * @return a codec like this one at that version.
     */
    public RecordCodec<R> version(final int version)
    {
        return new RecordCodec<>(id, name, type, version, layout, steps);
    }

    /**
     * @param name a short name for messages and tools (default: the class's simple name).
     * @return a codec like this one with that name.
     */
    public RecordCodec<R> name(final String name)
    {
        return new RecordCodec<>(id, name, type, version, layout, steps);
    }

    /**
     * Declare an older shape: values stored at {@code fromVersion} were written by record {@code oldType}, and
     * {@code step} turns one into the record of version {@code fromVersion + 1}.
     *
     * @param oldType     the record class of that version's shape.
     * @param fromVersion its schema version, below {@link #currentSchemaVersion()}.
     * @param step        a pure function: the old record to the next version's record (never null).
     * @param <O>         the old record.
     * @return a codec like this one with the step.
     */
    @SuppressWarnings("unchecked")
    public <O extends Record> RecordCodec<R> migrateFrom(
        final Class<O> oldType, final int fromVersion, final Function<? super O, ? extends Record> step)
    {
        requireRecord(oldType);
        if (step == null)
        {
            throw new IllegalArgumentException("migrateFrom " + oldType.getName() + " version=" + fromVersion +
                " needs a step function");
        }
        ValueEnvelope.checkSchemaVersion("fromVersion", fromVersion);
        if (steps.containsKey(fromVersion))
        {
            throw new IllegalStateException("codec id=" + id + " name=" + name + " already has a step from version=" +
                fromVersion + " (" + steps.get(fromVersion).layout().type().getName() + ")");
        }
        final Map<Integer, Step> more = new TreeMap<>(steps);
        more.put(fromVersion, new Step(fromVersion, RecordLayout.of(oldType), (Function<Object, ?>)step));
        return new RecordCodec<>(id, name, type, version, layout, Collections.unmodifiableMap(more));
    }

    /**
     * The steps as migrations for the {@link MigrationRegistry}.
     *
     * @return one {@link Migration} per {@link #migrateFrom} step, ascending.
     * @throws IllegalStateException if a step is not below the current version, or the steps do not form a chain
     *                               up to it (every version from the oldest step's up needs its record class).
     */
    public List<Migration> migrations()
    {
        final List<Migration> migrations = new ArrayList<>();
        if (steps.isEmpty())
        {
            return migrations;
        }
        final int oldest = Collections.min(steps.keySet());
        for (final int from : steps.keySet())
        {
            if (from >= version)
            {
                throw new IllegalStateException("codec id=" + id + " name=" + name + " has a step from version=" + from +
                    " but writes version=" + version + ": steps must be from versions below it (call version(n) first?)");
            }
        }
        for (int from = oldest; from < version; from++)
        {
            final Step step = steps.get(from);
            if (step == null)
            {
                throw new IllegalStateException("codec id=" + id + " name=" + name + " has steps from version=" + oldest +
                    " but none from version=" + from + ": declare migrateFrom(RecordOfVersion" + from + ".class, " + from +
                    ", ...) so every version up to " + version + " has its shape");
            }
            final Step next = steps.get(from + 1);
            final RecordLayout target = next == null ? layout : next.layout();
            migrations.add(Migration.of(id, from, (payload, offset, length, out) ->
            {
                final Object old = step.layout().decode(payload, offset, length);
                final Object upgraded = step.function().apply(old);
                if (upgraded == null || upgraded.getClass() != target.type())
                {
                    throw new IllegalStateException("step from version=" + step.fromVersion() + " (" +
                        step.layout().type().getName() + ") returned " + (upgraded == null ? "null" : upgraded.getClass().getName()) +
                        ", version " + (step.fromVersion() + 1) + " is " + target.type().getName());
                }
                return target.encode(upgraded, out, 0);
            }));
        }
        return migrations;
    }

    /**
     * Register this codec and its {@link #migrations()}.
     *
     * @param context the engine's context.
     * @return this.
     */
    public RecordCodec<R> registerIn(final EngramContext context)
    {
        return registerIn(context.codecs(), context.migrations());
    }

    /**
     * Register this codec and its {@link #migrations()}.
     *
     * @param codecs     where the codec goes.
     * @param migrations where its steps go.
     * @return this.
     */
    public RecordCodec<R> registerIn(final CodecRegistry codecs, final MigrationRegistry migrations)
    {
        final List<Migration> steps = migrations();
        codecs.register(this);
        steps.forEach(migrations::register);
        return this;
    }

    /**
     * @return the shape string of the current record (see {@link RecordLayoutDescriptor}).
     */
    public String shape()
    {
        return layout.shape();
    }

    /**
     * @return the fingerprint every payload of this codec carries.
     */
    public long fingerprint()
    {
        return layout.fingerprint();
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
    public Class<R> type()
    {
        return type;
    }

    @Override
    public int currentSchemaVersion()
    {
        return version;
    }

    @Override
    public int encode(final R value, final MutableDirectBuffer buffer, final int offset)
    {
        return layout.encode(value, buffer, offset);
    }

    @Override
    public R decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        if (schemaVersion != version)
        {
            throw new IllegalArgumentException("codec id=" + id + " name=" + name + " reads schema version " + version +
                " only, not " + schemaVersion + " (older versions go through its migrateFrom steps)");
        }
        return type.cast(layout.decode(buffer, offset, length));
    }

    @Override
    public String toString()
    {
        return "RecordCodec{id=" + id + ", name=" + name + ", type=" + type.getName() + ", version=" + version +
            ", shape=" + layout.shape() + "}";
    }

    private static void requireRecord(final Class<?> type)
    {
        if (type == null || !type.isRecord())
        {
            throw new IllegalArgumentException("type=" + (type == null ? "null" : type.getName()) +
                " is not a record class: RecordCodec encodes records (declare it as a record)");
        }
    }
}
