package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.engine.ValueEnvelopeDescriptor.HEADER_LENGTH;

/**
 * The typed layer's façade: values in, enveloped bytes out, and back, applying migrations on read.
 * <ul>
 *   <li>{@link #encode(Object, MutableDirectBuffer, int)} / {@link #encode(Object)} /
 *       {@link #encodeToBytes(Object)}: the codec registered for the value's exact class writes the
 *       payload at its current schema version behind a {@link ValueEnvelope}.</li>
 *   <li>{@link #decode(CharSequence, DirectBuffer, int, int, Class)}: checks the envelope, finds the codec
 *       by id, checks it produces the requested type, brings an old payload forward
 *       ({@link SchemaUpgrader}), decodes.</li>
 *   <li>{@link #needsMigration} / {@link #upgrade}: for the storage-side {@code migrate}, which rewrites
 *       every old value as an ordinary PUT.</li>
 * </ul>
 * Not thread-safe: keep one per thread (like a {@code Delta}); the registries behind it are shared.
 * Buffers are reused, so a warmed-up instance allocates only what the codecs allocate.
 */
public final class TypedValues
{
    static
    {
        EngramSystemProperties.apply();
    }

    private final CodecRegistry codecs;
    private final ValueEnvelope envelope = new ValueEnvelope();
    private final SchemaUpgrader upgrader;
    private final ExpandableArrayBuffer encodeBuffer = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer encodedView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer arrayView = new UnsafeBuffer(0, 0);

    /**
     * @param codecs     the codecs values may name.
     * @param migrations the steps that bring old payloads forward.
     */
    public TypedValues(final CodecRegistry codecs, final MigrationRegistry migrations)
    {
        if (codecs == null || migrations == null)
        {
            throw new IllegalArgumentException("codecs=" + codecs + " and migrations=" + migrations + " must not be null");
        }
        this.codecs = codecs;
        this.upgrader = new SchemaUpgrader(migrations);
    }

    /**
     * Write an enveloped value.
     *
     * @param value  not null; its exact class must have a codec.
     * @param buffer reusable; grown if expandable, else it must have room.
     * @param offset where the envelope starts.
     * @param <T>    the value's type.
     * @return bytes written: envelope plus payload.
     * @throws IllegalArgumentException if the value is null or its class has no codec.
     */
    public <T> int encode(final T value, final MutableDirectBuffer buffer, final int offset)
    {
        if (buffer == null || offset < 0)
        {
            throw new IllegalArgumentException("buffer=" + buffer + " must not be null and offset=" + offset + " must be >= 0");
        }
        final Codec<T> codec = codecOf(value);
        ValueEnvelope.putHeader(buffer, offset, codec.id(), codec.currentSchemaVersion());
        return HEADER_LENGTH + codec.encode(value, buffer, offset + HEADER_LENGTH);
    }

    /**
     * Write an enveloped value into this instance's buffer.
     *
     * @param value not null; its exact class must have a codec.
     * @return a view of exactly the encoded bytes, valid until the next call on this instance
     * (hand it to {@code Delta.put(key, buffer, 0, buffer.capacity())}).
     */
    public DirectBuffer encode(final Object value)
    {
        final int length = encode(value, encodeBuffer, 0);
        encodedView.wrap(encodeBuffer, 0, length);
        return encodedView;
    }

    /**
     * @param value not null; its exact class must have a codec.
     * @return a new array holding the enveloped value.
     */
    public byte[] encodeToBytes(final Object value)
    {
        final int length = encode(value, encodeBuffer, 0);
        final byte[] bytes = new byte[length];
        encodeBuffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Read an enveloped value, migrating it in memory if it is old (the stored bytes are not changed).
     *
     * @param key    the value's key, for messages.
     * @param buffer holding the value.
     * @param offset of its first byte.
     * @param length of the whole value, envelope plus payload.
     * @param type   what the caller expects: the codec's type or a supertype of it.
     * @param <T>    the type.
     * @return a new value.
     * @throws EnvelopeException          if the bytes hold no valid envelope, or a newer envelope format.
     * @throws UnknownCodecException      if the envelope's codec id is not registered.
     * @throws TypeMismatchException      if that codec does not produce {@code type}.
     * @throws SchemaVersionException     if the value was written by a newer schema version.
     * @throws MissingMigrationException  if the value is old and a migration step is missing.
     * @throws ValueDecodeException       if the codec or a migration step cannot read the payload.
     */
    public <T> T decode(
        final CharSequence key, final DirectBuffer buffer, final int offset, final int length, final Class<T> type)
    {
        if (type == null)
        {
            throw new IllegalArgumentException("type must not be null for key=" + key);
        }
        final Codec<?> codec = verifiedCodec(key, buffer, offset, length);
        if (!type.isAssignableFrom(codec.type()))
        {
            throw new TypeMismatchException(key, codec, type);
        }
        return type.cast(decodeVerified(key, codec));
    }

    /**
     * @param key   the value's key, for messages.
     * @param value the whole stored value.
     * @param type  what the caller expects.
     * @param <T>   the type.
     * @return a new value; see {@link #decode(CharSequence, DirectBuffer, int, int, Class)}.
     */
    public <T> T decode(final CharSequence key, final byte[] value, final Class<T> type)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("value must not be null for key=" + key);
        }
        arrayView.wrap(value);
        return decode(key, arrayView, 0, value.length, type);
    }

    /**
     * Check a stored value's envelope and find its codec, without decoding.
     *
     * @param key    the value's key, for messages.
     * @param buffer holding the value.
     * @param offset of its first byte.
     * @param length of the whole value.
     * @return a verified envelope (a flyweight reused by the next call on this instance).
     * @throws EnvelopeException     if there is no valid envelope.
     * @throws UnknownCodecException if its codec is not registered.
     */
    public ValueEnvelope envelope(final CharSequence key, final DirectBuffer buffer, final int offset, final int length)
    {
        verifiedCodec(key, buffer, offset, length);
        return envelope;
    }

    /**
     * For the storage-side {@code migrate}: is this value older than its codec's current schema version?
     *
     * @param key    the value's key, for messages.
     * @param buffer holding the value.
     * @param offset of its first byte.
     * @param length of the whole value.
     * @return true if {@link #upgrade} would rewrite it.
     * @throws EnvelopeException      if there is no valid envelope.
     * @throws UnknownCodecException  if its codec is not registered.
     * @throws SchemaVersionException if it was written by a newer schema version (a value is never downgraded).
     */
    public boolean needsMigration(final CharSequence key, final DirectBuffer buffer, final int offset, final int length)
    {
        final Codec<?> codec = verifiedCodec(key, buffer, offset, length);
        final int schemaVersion = envelope.schemaVersion();
        if (schemaVersion > codec.currentSchemaVersion())
        {
            throw new SchemaVersionException(key, codec, schemaVersion);
        }
        return schemaVersion < codec.currentSchemaVersion();
    }

    /**
     * For the storage-side {@code migrate}: the value rewritten at its codec's current schema version.
     * Runs the migration chain; if the chain ends at a version the codec decodes directly, the value is
     * decoded and encoded again.
     *
     * @param key    the value's key, for messages.
     * @param buffer holding the value.
     * @param offset of its first byte.
     * @param length of the whole value.
     * @return the upgraded enveloped value (a new array), or null if the value is already current.
     * @throws TypedValueException as {@link #decode(CharSequence, DirectBuffer, int, int, Class)} does.
     */
    public byte[] upgrade(final CharSequence key, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!needsMigration(key, buffer, offset, length))
        {
            return null;
        }
        final Codec<?> codec = codecs.codec(envelope.codecId());
        upgrader.upgrade(key, codec, buffer, envelope.payloadOffset(), envelope.payloadLength(), envelope.schemaVersion());
        final int upgradedLength;
        if (upgrader.resultVersion() == codec.currentSchemaVersion())
        {
            ValueEnvelope.putHeader(encodeBuffer, 0, codec.id(), codec.currentSchemaVersion());
            encodeBuffer.putBytes(HEADER_LENGTH, upgrader.resultBuffer(), upgrader.resultOffset(), upgrader.resultLength());
            upgradedLength = HEADER_LENGTH + upgrader.resultLength();
        }
        else
        {
            upgradedLength = reencode(codec, decodeUpgraded(key, codec));
        }
        final byte[] upgraded = new byte[upgradedLength];
        encodeBuffer.getBytes(0, upgraded);
        return upgraded;
    }

    private <T> int reencode(final Codec<T> codec, final Object value)
    {
        ValueEnvelope.putHeader(encodeBuffer, 0, codec.id(), codec.currentSchemaVersion());
        return HEADER_LENGTH + codec.encode(codec.type().cast(value), encodeBuffer, HEADER_LENGTH);
    }

    private Codec<?> verifiedCodec(final CharSequence key, final DirectBuffer buffer, final int offset, final int length)
    {
        final ValueEnvelope.Check check = envelope.wrap(buffer, offset, length).verify();
        if (check != ValueEnvelope.Check.OK)
        {
            throw new EnvelopeException(key, envelope, check);
        }
        return codecs.require(key, envelope.codecId());
    }

    private Object decodeVerified(final CharSequence key, final Codec<?> codec)
    {
        final int schemaVersion = envelope.schemaVersion();
        if (schemaVersion == codec.currentSchemaVersion())
        {
            return decodePayload(key, codec, envelope.buffer(), envelope.payloadOffset(), envelope.payloadLength(), schemaVersion);
        }
        upgrader.upgrade(key, codec, envelope.buffer(), envelope.payloadOffset(), envelope.payloadLength(), schemaVersion);
        return decodeUpgraded(key, codec);
    }

    private Object decodeUpgraded(final CharSequence key, final Codec<?> codec)
    {
        return decodePayload(
            key, codec, upgrader.resultBuffer(), upgrader.resultOffset(), upgrader.resultLength(), upgrader.resultVersion());
    }

    private static Object decodePayload(
        final CharSequence key,
        final Codec<?> codec,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int schemaVersion)
    {
        final Object value;
        try
        {
            value = codec.decode(buffer, offset, length, schemaVersion);
        }
        catch (final TypedValueException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new ValueDecodeException(key, codec, "decode", schemaVersion, ex);
        }
        if (value == null)
        {
            throw new ValueDecodeException(key, codec, "decode", schemaVersion,
                new IllegalStateException("codec returned null"));
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private <T> Codec<T> codecOf(final T value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("value must not be null (to remove a key, DELETE it)");
        }
        final Codec<T> codec = (Codec<T>)codecs.codecFor(value.getClass());
        if (codec == null)
        {
            throw new IllegalArgumentException("no codec is registered for type=" + value.getClass().getName() +
                ": register one in the CodecRegistry");
        }
        return codec;
    }
}
