package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class JournalFollowTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeliverNewFramesInOrderWhileTheJournalGrows() throws Exception
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta();
            for (int i = 0; i < 100; i++)
            {
                journal.append(delta.clear().put("k", new byte[] {(byte)i}));
            }
            assertTrue(journal.awaitWritten(100, 60, TimeUnit.SECONDS));
            final Thread producer = new Thread(() ->
            {
                final Delta d = journal.newDelta();
                for (int i = 0; i < 50_000; i++)
                {
                    journal.append(d.clear().put("live", new byte[16]));
                }
            });
            producer.start();
            final long[] next = {40};
            try (JournalReader reader = journal.newReader())
            {
                reader.follow(40);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (next[0] <= 50_100 && System.nanoTime() < deadline)
                {
                    reader.poll(f -> assertEquals(next[0]++, f.version()), 1000);
                }
                assertEquals(0, reader.poll(f -> fail("nothing more"), 10));
            }
            producer.join();
            assertEquals(50_101, next[0]);
        }
    }
}
