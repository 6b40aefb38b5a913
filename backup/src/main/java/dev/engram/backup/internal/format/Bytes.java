package dev.engram.backup.internal.format;

import java.util.zip.CRC32C;

/**
 * Little-endian reads and writes on byte arrays, and CRC32C, for the repository's objects.
 */
final class Bytes
{
    private Bytes()
    {
    }

    static void putInt(final byte[] b, final int at, final int value)
    {
        b[at] = (byte)value;
        b[at + 1] = (byte)(value >>> 8);
        b[at + 2] = (byte)(value >>> 16);
        b[at + 3] = (byte)(value >>> 24);
    }

    static void putLong(final byte[] b, final int at, final long value)
    {
        putInt(b, at, (int)value);
        putInt(b, at + 4, (int)(value >>> 32));
    }

    static void putShort(final byte[] b, final int at, final int value)
    {
        b[at] = (byte)value;
        b[at + 1] = (byte)(value >>> 8);
    }

    static int getInt(final byte[] b, final int at)
    {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    static long getUnsignedInt(final byte[] b, final int at)
    {
        return getInt(b, at) & 0xffff_ffffL;
    }

    static long getLong(final byte[] b, final int at)
    {
        return (getInt(b, at) & 0xffff_ffffL) | (long)getInt(b, at + 4) << 32;
    }

    static int getUnsignedShort(final byte[] b, final int at)
    {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int crc32c(final byte[] b, final int from, final int to)
    {
        final CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return (int)crc.getValue();
    }

    static void putAscii(final byte[] b, final int at, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            b[at + i] = (byte)text.charAt(i);
        }
    }

    static boolean hasAscii(final byte[] b, final int at, final String text)
    {
        if (b.length < at + text.length())
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (b[at + i] != (byte)text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
