package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class JournalMisuseTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRejectBadDeltasAndStayUsable()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).maxDeltaLength(4096)))
        {
            final Delta delta = journal.newDelta();
            assertThrows(IllegalArgumentException.class, () -> journal.append(null));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> journal.append(delta.clear()))
                .getMessage().contains("no ops"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> delta.put("big", new byte[5000]))
                .getMessage().contains("maxDeltaLength=4096"));
            // a builder with larger limits than the journal's is still checked at append
            final Delta unbounded = new Delta().put("big", new byte[5000]);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> journal.append(unbounded))
                .getMessage().contains("maxDeltaLength=4096"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> delta.patch("w", -5, new byte[1]))
                .getMessage().contains("patchOffset=-5"));
            // a patch must end within the largest value the state holds: refused before any version is used
            for (final long offset : new long[] {DeltaFrameDescriptor.MAX_VALUE_LENGTH, 2147483639L, 2147483648L, Long.MAX_VALUE})
            {
                final IllegalArgumentException tooFar = assertThrows(IllegalArgumentException.class,
                    () -> delta.clear().patch("w", offset, new byte[1]));
                assertTrue(tooFar.getMessage().contains("patchOffset=" + offset) && tooFar.getMessage().contains("key=w"),
                    tooFar.getMessage());
            }
            assertEquals(0, delta.clear().patch("w", DeltaFrameDescriptor.MAX_VALUE_LENGTH - 1, new byte[1]).opCount() - 1,
                "a patch ending exactly at the largest value is accepted");

            final long version = journal.append(delta.clear().put("ok", new byte[] {1}));
            assertEquals(1, version, "a rejected delta must not use a version");
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            assertEquals(1, JournalTestSupport.readAll(journal).size());
        }
    }

    @Test
    void shouldCarryDeltasLargerThanASlotAndUpToTheMaximum()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final byte[] big = new byte[8 * 1024 * 1024];
            for (int i = 0; i < big.length; i++)
            {
                big[i] = (byte)(i * 31);
            }
            final Delta delta = journal.newDelta();
            journal.append(delta.clear().put("small", new byte[] {1}));
            final long bigVersion = journal.append(delta.clear().put("population/1", big).patch("x", 3, new byte[700]));
            final long last = journal.append(delta.clear().delete("small"));
            assertTrue(journal.awaitWritten(last, 30, TimeUnit.SECONDS));
            final var frames = JournalTestSupport.readAll(journal);
            assertEquals(3, frames.size());
            assertEquals(bigVersion, frames.get(1).version());
            assertArrayEquals(big, frames.get(1).ops().get(0).data());
            assertEquals(700, frames.get(1).ops().get(1).data().length);
            assertEquals(OpType.DELETE, frames.get(2).ops().get(0).type());
        }
    }

    @Test
    void shouldRefuseAppendsAfterClose()
    {
        final Journal journal = Journal.open(JournalTestSupport.smallContext(dir));
        final Delta delta = journal.newDelta().put("k", new byte[1]);
        journal.append(delta);
        journal.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> journal.append(delta));
        assertTrue(ex.getMessage().contains("closed"));
        assertThrows(IllegalStateException.class, journal::newReader);
        journal.close(); // idempotent
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirectory()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final JournalException ex = assertThrows(JournalException.class,
                () -> Journal.open(JournalTestSupport.smallContext(dir)));
            assertTrue(ex.getMessage().contains("already open") || ex.getMessage().contains("in use"), ex.getMessage());
            assertEquals(1, journal.append(journal.newDelta().put("k", new byte[1])));
        }
    }

    @Test
    void shouldRejectBadConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> Journal.open(new JournalContext()));
        assertThrows(IllegalArgumentException.class, () -> Journal.open(new JournalContext().directory(dir).ringSlotCount(1000)));
        assertThrows(IllegalArgumentException.class, () -> Journal.open(new JournalContext().directory(dir).maxKeyLength(0)));
    }

    @Test
    void shouldApplyBackPressurePoliciesWhenTheRingIsFull() throws Exception
    {
        final BlockingIdle idle = new BlockingIdle();
        final JournalContext ctx = JournalTestSupport.smallContext(dir).ringSlotCount(4)
            .backPressurePolicy(BackPressurePolicy.FAIL_FAST).writerIdleStrategySupplier(() -> idle);
        try (Journal journal = Journal.open(ctx))
        {
            assertTrue(idle.writerParked.await(10, TimeUnit.SECONDS));
            final Delta delta = journal.newDelta().put("k", new byte[8]);
            for (int i = 0; i < 4; i++)
            {
                assertEquals(i + 1, journal.append(delta));
            }
            assertEquals(Journal.BACK_PRESSURED, journal.tryAppend(delta));
            final JournalBackPressureException ex = assertThrows(JournalBackPressureException.class, () -> journal.append(delta));
            assertTrue(ex.getMessage().contains("policy=FAIL_FAST"));
            assertEquals(2, journal.backPressureEvents());
            assertEquals(4, journal.ringOccupancy());
            assertEquals(4, journal.lastAppendedVersion(), "refused appends must not use versions");

            idle.release.countDown();
            assertTrue(journal.awaitWritten(4, 60, TimeUnit.SECONDS));
            assertEquals(5, journal.append(delta));
            assertTrue(journal.awaitWritten(5, 60, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldWaitThenTimeOutUnderTheWaitPolicy() throws Exception
    {
        final BlockingIdle idle = new BlockingIdle();
        final JournalContext ctx = JournalTestSupport.smallContext(dir).ringSlotCount(2)
            .backPressurePolicy(BackPressurePolicy.WAIT).backPressureTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
            .writerIdleStrategySupplier(() -> idle);
        try (Journal journal = Journal.open(ctx))
        {
            assertTrue(idle.writerParked.await(10, TimeUnit.SECONDS));
            final Delta delta = journal.newDelta().put("k", new byte[8]);
            journal.append(delta);
            journal.append(delta);
            final long start = System.nanoTime();
            final JournalBackPressureException ex = assertThrows(JournalBackPressureException.class, () -> journal.append(delta));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "did not wait");
            assertTrue(ex.getMessage().contains("policy=WAIT"));
            idle.release.countDown();
            assertEquals(3, journal.append(delta));
            assertTrue(journal.awaitWritten(3, 60, TimeUnit.SECONDS));
        }
    }

    /** Holds the journal thread in its first idle until released, so the ring fills deterministically. */
}
