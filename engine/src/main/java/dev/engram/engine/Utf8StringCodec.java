package dev.engram.engine;

import dev.engram.journal.internal.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Built-in codec {@value #ID}: a {@link String} as UTF-8 bytes, no length prefix. Strict both ways: a
 * string with an unpaired surrogate is refused on encode and malformed UTF-8 is refused on decode, so
 * every stored string reads back exactly (nothing is silently replaced by '?').
 */
public final class Utf8StringCodec implements Codec<String>
{
    public static final int ID = 2;
    public static final String NAME = "utf8-string";
    public static final Utf8StringCodec INSTANCE = new Utf8StringCodec();

    private Utf8StringCodec()
    {
    }

    @Override
    public int id()
    {
        return ID;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public Class<String> type()
    {
        return String.class;
    }

    @Override
    public int currentSchemaVersion()
    {
        return 1;
    }

    @Override
    public int encode(final String value, final MutableDirectBuffer buffer, final int offset)
    {
        final int unpaired = unpairedSurrogateIndex(value);
        if (unpaired >= 0)
        {
            throw new IllegalArgumentException("string value has an unpaired surrogate at char index=" + unpaired +
                " and would not read back as written");
        }
        buffer.checkLimit(offset + Utf8.encodedLength(value));
        return Utf8.encode(value, buffer, offset);
    }

    @Override
    public String decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new IllegalArgumentException("payload length=" + length + " is not valid UTF-8: " + ex, ex);
        }
    }

    private static int unpairedSurrogateIndex(final String value)
    {
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 >= n || !Character.isLowSurrogate(value.charAt(i + 1)))
                {
                    return i;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }
}
