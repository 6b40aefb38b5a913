package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class JournalTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAppendAndReplayInVersionOrder()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta();
            long last = 0;
            for (int i = 0; i < 5000; i++)
            {
                delta.clear().put("user/" + i, ("value-" + i).getBytes(StandardCharsets.UTF_8));
                if (i % 3 == 0)
                {
                    delta.delete("user/" + (i - 1));
                }
                if (i % 5 == 0)
                {
                    delta.patch("population/1", i * 4L, new byte[] {1, 2, 3, 4});
                }
                last = journal.append(delta);
                assertEquals(i + 1, last);
            }
            assertTrue(journal.awaitWritten(last, 60, TimeUnit.SECONDS));
            final List<JournalTestSupport.Frame> frames = JournalTestSupport.readAll(journal);
            assertEquals(5000, frames.size());
            for (int i = 0; i < frames.size(); i++)
            {
                final JournalTestSupport.Frame frame = frames.get(i);
                assertEquals(i + 1, frame.version());
                assertTrue(frame.timestampEpochNs() > 0);
                assertEquals(OpType.PUT, frame.ops().get(0).type());
                assertEquals("user/" + i, frame.ops().get(0).key());
                assertEquals("value-" + i, new String(frame.ops().get(0).data(), StandardCharsets.UTF_8));
                int expectedOps = 1 + (i % 3 == 0 ? 1 : 0) + (i % 5 == 0 ? 1 : 0);
                assertEquals(expectedOps, frame.ops().size());
            }
        }
    }
}
