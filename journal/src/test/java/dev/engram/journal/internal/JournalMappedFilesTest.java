package dev.engram.journal.internal;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalException;
import dev.engram.journal.JournalReader;
import dev.engram.journal.JournalTestSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class JournalMappedFilesTest
{
    @TempDir
    Path dir;

    private record Ref(int cycle, long position, int length, byte[] expected)
    {
    }

    @Test
    void shouldReadValuesBackByCycleAndFilePositionAfterReplayMovedOn()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int i = 0; i < 3000; i++)
            {
                final byte[] value = new byte[1 + (i % 700)];
                java.util.Arrays.fill(value, (byte)i);
                version = journal.append(delta.clear().put("k" + i, value).patch("p", i, new byte[] {(byte)i}));
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            final List<Ref> refs = new ArrayList<>();
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(1, frame ->
                {
                    while (frame.nextOp())
                    {
                        final byte[] copy = new byte[frame.dataLength()];
                        frame.buffer().getBytes(frame.dataOffset(), copy);
                        refs.add(new Ref(frame.cycle(), frame.filePosition() + frame.dataOffset(), frame.dataLength(), copy));
                    }
                });
            }
            // keep appending so the cycle file grows past the first mapping
            final UnsafeBuffer view = new UnsafeBuffer(0, 0);
            try (JournalMappedFiles files = journal.newMappedFiles())
            {
                for (final Ref ref : refs)
                {
                    files.wrap(view, ref.cycle, ref.position, ref.length);
                    final byte[] actual = new byte[ref.length];
                    view.getBytes(0, actual);
                    assertArrayEquals(ref.expected, actual);
                }
                final long more = journal.append(delta.clear().put("later", new byte[] {42}));
                assertTrue(journal.awaitWritten(more, 60, TimeUnit.SECONDS));
                final long[] where = new long[2];
                try (JournalReader reader = journal.newReader())
                {
                    reader.replay(more, frame ->
                    {
                        frame.nextOp();
                        where[0] = frame.cycle();
                        where[1] = frame.filePosition() + frame.dataOffset();
                    });
                }
                files.wrap(view, (int)where[0], where[1], 1);
                assertEquals(42, view.getByte(0));
                assertThrows(JournalException.class, () -> files.address(refs.get(0).cycle, Long.MAX_VALUE / 2, 1));
            }
        }
    }
}
