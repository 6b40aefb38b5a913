package dev.engram.journal.internal;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FileSpace} counts the bytes of a file that hold data, not its length: a sparse file (as Chronicle's cycle
 * files are) counts its written extents only; a dense file counts its length; a missing file counts 0.
 */
class FileSpaceTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountDataExtentsNotLength() throws IOException
    {
        final Path dense = dir.resolve("dense");
        Files.write(dense, new byte[100_000]);
        assertEquals(100_000, FileSpace.dataBytes(dense));

        final Path sparse = dir.resolve("sub").resolve("sparse");
        Files.createDirectories(sparse.getParent());
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw"))
        {
            file.write(new byte[8192]);
            file.seek(32L << 20);
            file.write(new byte[4096]);
            file.setLength(64L << 20);
        }
        final long data = FileSpace.dataBytes(sparse);
        Assumptions.assumeTrue(data < 64L << 20, "no SEEK_DATA/SEEK_HOLE on this file system: lengths are used");
        // two written extents, rounded to the file system's blocks
        assertTrue(data >= 8192 + 4096 && data <= 1L << 20, "data bytes " + data);
        assertEquals(100_000 + data, FileSpace.dataBytesUnder(dir));
        assertEquals(0, FileSpace.dataBytes(dir.resolve("missing")));
        assertEquals(0, FileSpace.dataBytesUnder(dir.resolve("missing")));
    }
}
