package dev.engram.tools;

import dev.engram.engine.Codec;
import dev.engram.engine.ValueEnvelope;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How the CLI shows a stored value: as text when it is UTF-8 without control characters, else as hex; with
 * {@code --type}, its typed-value envelope (codec id, schema version) and, when the codec is known, the decoded
 * object.
 */
final class Values
{
    private Values()
    {
    }

    /**
     * @return the value as text if it is printable UTF-8, else null.
     */
    static String text(final byte[] value)
    {
        try
        {
            final String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(value)).toString();
            for (int i = 0; i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')
                {
                    return null;
                }
            }
            return text;
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    static String hex(final byte[] value, final int limit)
    {
        final StringBuilder out = new StringBuilder();
        final int n = Math.min(value.length, limit);
        for (int i = 0; i < n; i++)
        {
            out.append(Character.forDigit((value[i] >> 4) & 0xF, 16)).append(Character.forDigit(value[i] & 0xF, 16));
        }
        if (n < value.length)
        {
            out.append("...");
        }
        return out.toString();
    }

    /**
     * @return the value for a one-line listing: text in quotes, or hex; at most {@code limit} bytes.
     */
    static String preview(final byte[] value, final int limit)
    {
        final byte[] head = value.length > limit ? Arrays.copyOf(value, limit) : value;
        final String text = text(head);
        if (text != null)
        {
            return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"" +
                (value.length > limit ? "..." : "");
        }
        return "0x" + hex(value, limit);
    }

    /**
     * @return a description of the value's typed envelope ("codec id=2 (utf8-string) schema version=1, payload 5
     * bytes: ..."), or why it has none.
     */
    static String typed(final String key, final byte[] value, final Codecs codecs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(value);
        final ValueEnvelope envelope = new ValueEnvelope().wrap(buffer, 0, value.length);
        final ValueEnvelope.Check check = envelope.verify();
        if (check != ValueEnvelope.Check.OK)
        {
            return "no typed-value envelope (" + check.description() + "): a raw value";
        }
        final int id = envelope.codecId();
        Codec<?> codec = null;
        try
        {
            codec = codecs.codecs.codec(id);
        }
        catch (final RuntimeException ex)
        {
            codec = null;
        }
        final StringBuilder out = new StringBuilder("codec id=" + id);
        if (codec == null)
        {
            out.append(" (not known to this CLI: give the application's codecs with --plugin JAR, or --example-codecs)");
        }
        else
        {
            out.append(" (").append(codec.name()).append(", type ").append(codec.type().getName())
                .append(", current schema version ").append(codec.currentSchemaVersion()).append(')');
        }
        out.append(" schema version=").append(envelope.schemaVersion())
            .append(", payload ").append(envelope.payloadLength()).append(" bytes");
        if (codec != null)
        {
            try
            {
                final Object decoded = new dev.engram.engine.TypedValues(codecs.codecs, codecs.migrations)
                    .decode(key, buffer, 0, value.length, Object.class);
                out.append(System.lineSeparator()).append(describe(decoded));
            }
            catch (final RuntimeException ex)
            {
                out.append(System.lineSeparator()).append("cannot decode: ").append(ex.getMessage());
            }
        }
        return out.toString();
    }

    private static String describe(final Object decoded)
    {
        if (decoded instanceof byte[] bytes)
        {
            return preview(bytes, 256);
        }
        if (decoded instanceof float[] floats)
        {
            return floats.length + " floats: " + Arrays.toString(Arrays.copyOf(floats, Math.min(16, floats.length))) +
                (floats.length > 16 ? "..." : "");
        }
        return String.valueOf(decoded);
    }
}
