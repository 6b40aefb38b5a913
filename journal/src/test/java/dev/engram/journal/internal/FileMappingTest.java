package dev.engram.journal.internal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mappings below and above 2 GiB read the file's bytes at the right addresses (a sparse file: no disk used).
 */
class FileMappingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMapFilesBelowAndAbove2GiB() throws Exception
    {
        assertTrue(FileMapping.nativeMapAvailable(), "the build's JVM flags open java.base/sun.nio.ch: no Chronicle on the mapping path");
        for (final long length : new long[] {4096 + 13, (5L << 29) + 7})      // 4 KiB + 13, 2.5 GiB + 7
        {
            final Path file = dir.resolve("f-" + length);
            final long last = length - 8;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength(length);
                raf.seek(0);
                raf.writeLong(0x0102030405060708L);
                raf.seek(last);
                raf.writeLong(0x1112131415161718L);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                 FileMapping mapping = FileMapping.map(channel, FileChannel.MapMode.READ_ONLY, length))
            {
                assertEquals(length, mapping.length());
                final UnsafeBuffer head = new UnsafeBuffer(mapping.address(), 8);
                final UnsafeBuffer tail = new UnsafeBuffer(mapping.address() + last, 8);
                assertEquals(0x0102030405060708L, Long.reverseBytes(head.getLong(0)), "first bytes, length=" + length);
                assertEquals(0x1112131415161718L, Long.reverseBytes(tail.getLong(0)), "last bytes, length=" + length);
            }
        }
    }

    @Test
    void shouldRefuseANonPositiveLength() throws Exception
    {
        final Path file = dir.resolve("empty");
        new RandomAccessFile(file.toFile(), "rw").close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            assertThrows(IllegalArgumentException.class, () -> FileMapping.map(channel, FileChannel.MapMode.READ_ONLY, 0));
        }
    }
}
