package dev.engram.recovery.internal.checkpoint;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.zip.CRC32C;

/**
 * CRC32C over native memory of any length (mapped regions above 2 GiB included), incrementally, with
 * the JDK's intrinsic. It calls {@code CRC32C.updateDirectByteBuffer(int, long, int, int)} (the JVM
 * needs {@code --add-opens java.base/java.util.zip}, one of Engram's standard flags, the same one
 * Agrona's {@code Crc32c} relies on) in int-sized chunks.
 */
final class Crc32cMemory
{
    private static final int CHUNK_LENGTH = 1 << 30;
    private static final MethodHandle UPDATE_DIRECT;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(CRC32C.class, MethodHandles.lookup());
            UPDATE_DIRECT = lookup.findStatic(
                CRC32C.class, "updateDirectByteBuffer", MethodType.methodType(int.class, int.class, long.class, int.class, int.class));
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new ExceptionInInitializerError(new IllegalStateException(
                "CRC32C over native memory needs --add-opens=java.base/java.util.zip=ALL-UNNAMED: " + ex, ex));
        }
    }

    private Crc32cMemory()
    {
    }

    /**
     * @param address first byte.
     * @param length  bytes to cover (any non-negative length).
     * @return the CRC32C of those bytes, as {@link CRC32C#getValue()} would give it (low 32 bits).
     */
    static int compute(final long address, final long length)
    {
        return ~update(0xFFFF_FFFF, address, length);
    }

    /**
     * Continue a running CRC.
     *
     * @param state   the running state: start with {@code 0xFFFFFFFF}, finish with {@code ~state}.
     * @param address first byte.
     * @param length  bytes to add.
     * @return the new state.
     */
    static int update(final int state, final long address, final long length)
    {
        int crc = state;
        long done = 0;
        try
        {
            while (done < length)
            {
                final int chunk = (int)Math.min(CHUNK_LENGTH, length - done);
                crc = (int)UPDATE_DIRECT.invokeExact(crc, address + done, 0, chunk);
                done += chunk;
            }
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("CRC32C over native memory failed: " + ex, ex);
        }
        return crc;
    }
}
