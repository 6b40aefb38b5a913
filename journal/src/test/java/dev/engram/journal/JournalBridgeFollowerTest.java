package dev.engram.journal;

import dev.engram.journal.internal.JournalBridgeFollower;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link JournalBridgeFollower}: while a background open's queue is held, the frames the journal writes to its bridge
 * file are delivered in version order, verified, without a place in the queue, only once published as written; a
 * handler that throws gets the same frame again; once the queue is open the follower says so and the queue holds what
 * follows. A frame published as written that does not read back is an error naming the bridge file and offset.
 */
class JournalBridgeFollowerTest
{
    private static final int QUEUED = 30;
    private static final long WAIT_S = 60;

    @TempDir
    Path dir;

    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void release()
    {
        gate.countDown();
    }

    private record Seen(long version, String key, byte[] value, long filePosition)
    {
    }

    private Journal heldOpen()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertTrue(journal.awaitWritten(append(journal, QUEUED, 16), WAIT_S, TimeUnit.SECONDS));
        }
        return Journal.openInBackground(JournalTestSupport.smallContext(dir), QUEUED, () ->
        {
            try
            {
                gate.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static byte[] value(final long version, final int length)
    {
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)version);
        value[0] = (byte)(version >>> 8);
        return value;
    }

    private static long append(final Journal journal, final int count, final int valueLength)
    {
        final Delta delta = journal.newDelta();
        long version = journal.lastAppendedVersion();
        for (int i = 0; i < count; i++)
        {
            version = journal.append(delta.clear().put("k/" + (version + 1), value(version + 1, valueLength)));
        }
        return version;
    }

    private static FrameHandler into(final List<Seen> seen)
    {
        return frame ->
        {
            assertTrue(frame.nextOp());
            final byte[] value = new byte[frame.dataLength()];
            frame.buffer().getBytes(frame.dataOffset(), value);
            seen.add(new Seen(frame.version(), frame.key(), value, frame.filePosition()));
        };
    }

    private static void assertSeen(final List<Seen> seen, final long from, final long to, final int valueLength)
    {
        assertEquals(to - from + 1, seen.size());
        for (int i = 0; i < seen.size(); i++)
        {
            final long version = from + i;
            assertEquals(version, seen.get(i).version());
            assertEquals("k/" + version, seen.get(i).key());
            assertArrayEquals(value(version, valueLength), seen.get(i).value());
            assertEquals(-1, seen.get(i).filePosition(), "a bridge frame has no place in the queue");
        }
    }

    /** Poll until {@code to} was delivered (the journal published it as written first). */
    private static List<Seen> pollUpTo(final JournalBridgeFollower follower, final long to)
    {
        final List<Seen> seen = new ArrayList<>();
        while (follower.nextVersion() <= to)
        {
            final int n = follower.poll(into(seen), 7);
            assertNotEquals(JournalBridgeFollower.QUEUE_SETTLED, n, "the queue is held");
            assertTrue(n <= 7, "at most the limit");
        }
        return seen;
    }

    @Test
    void deliversWhatTheJournalWritesToTheBridgeThenHandsOverToTheQueue()
    {
        try (Journal journal = heldOpen();
             JournalBridgeFollower follower = journal.newBridgeFollower(QUEUED + 1))
        {
            assertNotNull(follower, "the queue still opens");
            assertEquals(0, follower.poll(into(new ArrayList<>()), 100), "nothing written yet: not even a bridge file");

            final long small = append(journal, 25, 100);
            assertTrue(journal.awaitWritten(small, WAIT_S, TimeUnit.SECONDS));
            assertSeen(pollUpTo(follower, small), QUEUED + 1, small, 100);

            // frames larger than one read of the bridge
            final long large = append(journal, 3, 200_000);
            assertTrue(journal.awaitWritten(large, WAIT_S, TimeUnit.SECONDS));
            final List<Seen> seenLarge = new ArrayList<>();
            final int[] calls = {0};
            final FrameHandler failingOnce = frame ->
            {
                if (calls[0]++ == 0)
                {
                    throw new IllegalStateException("handler failed");
                }
                into(seenLarge).onFrame(frame);
            };
            assertThrows(IllegalStateException.class, () -> follower.poll(failingOnce, 100));
            assertEquals(small + 1, follower.nextVersion(), "the frame the handler failed on is not consumed");
            while (follower.nextVersion() <= large)
            {
                follower.poll(failingOnce, 100);
            }
            assertSeen(seenLarge, small + 1, large, 200_000);
            assertFalse(journal.isQueueOpen());

            gate.countDown();
            final List<Seen> none = new ArrayList<>();
            while (follower.poll(into(none), 100) != JournalBridgeFollower.QUEUE_SETTLED)
            {
                Thread.onSpinWait();   // the queue opens on the journal thread: poll until the follower says it did
            }
            assertTrue(none.isEmpty(), "nothing was written after the bridge");
            assertTrue(journal.isQueueOpen());
            assertNull(journal.newBridgeFollower(large + 1), "the queue is open: nothing to follow in a bridge");

            final long after = append(journal, 4, 100);
            assertTrue(journal.awaitWritten(after, WAIT_S, TimeUnit.SECONDS));
            try (JournalReader reader = journal.newReader())
            {
                final List<Long> versions = new ArrayList<>();
                reader.follow(follower.nextVersion());
                while (versions.size() < after - large)
                {
                    reader.poll(frame -> versions.add(frame.version()), 100);
                }
                assertEquals(List.of(large + 1, large + 2, large + 3, large + 4), versions, "the queue goes on from there");
            }
        }
    }

    @Test
    void startsAtTheVersionAskedFor()
    {
        try (Journal journal = heldOpen();
             JournalBridgeFollower follower = journal.newBridgeFollower(QUEUED + 6))
        {
            final long last = append(journal, 10, 64);
            assertTrue(journal.awaitWritten(last, WAIT_S, TimeUnit.SECONDS));
            assertSeen(pollUpTo(follower, last), QUEUED + 6, last, 64);
            gate.countDown();
        }
    }

    @Test
    void aWrittenFrameThatDoesNotReadBackIsAnErrorNamingTheBridgeAndOffset() throws IOException
    {
        try (Journal journal = heldOpen();
             JournalBridgeFollower follower = journal.newBridgeFollower(QUEUED + 1))
        {
            final long last = append(journal, 5, 64);
            assertTrue(journal.awaitWritten(last, WAIT_S, TimeUnit.SECONDS));
            final Path bridge = dir.resolve(JournalBridgeDescriptor.FILE_NAME);
            final ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel channel = FileChannel.open(bridge, StandardOpenOption.READ))
            {
                channel.read(length, JournalBridgeDescriptor.FIRST_FRAME_OFFSET);
            }
            final int frameLength = length.getInt(0);
            // a byte of the second frame's value flipped (then put back, so the journal's own copy finds it whole)
            final long at = JournalBridgeDescriptor.FIRST_FRAME_OFFSET + frameLength + frameLength - 10;
            flip(bridge, at);
            final List<Seen> seen = new ArrayList<>();
            final JournalException ex = assertThrows(JournalException.class, () ->
            {
                while (true)
                {
                    follower.poll(into(seen), 100);
                }
            });
            assertEquals(1, seen.size(), "the frame before it was delivered");
            assertTrue(ex.getMessage().contains(bridge.toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("offset " + (JournalBridgeDescriptor.FIRST_FRAME_OFFSET + frameLength)),
                ex.getMessage());
            assertTrue(ex.getMessage().contains("version=" + (QUEUED + 2)), ex.getMessage());
            flip(bridge, at);
            gate.countDown();
        }
    }

    private static void flip(final Path file, final long at) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte)~one.get(0)).rewind();
            channel.write(one, at);
        }
    }
}
