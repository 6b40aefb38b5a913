package dev.engram.journal.internal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Allocation-free UTF-8 for keys: length, encode into a buffer, compare with a stored key.
 * Unpaired surrogates are refused rather than replaced, so a key always round-trips.
 */
public final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @param value the characters.
     * @return the number of UTF-8 bytes they encode to.
     * @throws IllegalArgumentException if the text holds an unpaired surrogate.
     */
    public static int encodedLength(final CharSequence value)
    {
        int length = 0;
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                length += 1;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c))
            {
                if (i + 1 >= n || !Character.isLowSurrogate(value.charAt(i + 1)))
                {
                    throw new IllegalArgumentException("key has an unpaired surrogate at char index=" + i);
                }
                length += 4;
                i++;
            }
            else if (Character.isLowSurrogate(c))
            {
                throw new IllegalArgumentException("key has an unpaired surrogate at char index=" + i);
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    /**
     * Encode text that {@link #encodedLength(CharSequence)} accepted.
     *
     * @param value  the characters.
     * @param buffer where to write.
     * @param offset where to start.
     * @return bytes written.
     */
    public static int encode(final CharSequence value, final MutableDirectBuffer buffer, final int offset)
    {
        int p = offset;
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                buffer.putByte(p++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(p++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c))
            {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                buffer.putByte(p++, (byte)(0xF0 | (cp >> 18)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >> 12) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                buffer.putByte(p++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(p++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return p - offset;
    }

    /**
     * Decode stored UTF-8 (allocates: for reports, tools and tests, not hot paths).
     *
     * @param buffer holding the bytes.
     * @param offset first byte.
     * @param length byte count.
     * @return the text.
     */
    public static String decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
