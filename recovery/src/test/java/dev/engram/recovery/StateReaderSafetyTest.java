package dev.engram.recovery;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The read path's contracts under concurrency that a single JVM can check deterministically: iteration
 * exactly once per key across changes and checkpoint swaps made during it, nested reads, and reads racing
 * close. (The randomised scenarios, each in its own JVM, are in bench's stress suite.)
 */
class StateReaderSafetyTest
{
    private static final int KEYS = 500;

    @TempDir
    Path dir;

    private StateStore open()
    {
        return StateStore.open(new StateContext().directory(dir).background(false).snapshotIndex(false));
    }

    private static byte[] value(final String key, final long version)
    {
        return (key + "@" + version).getBytes(StandardCharsets.UTF_8);
    }

    private static void putAll(final StateStore store, final String prefix, final int keys, final long stamp)
    {
        final Delta delta = store.journal().newDelta();
        long v = 0;
        for (int i = 0; i < keys; i++)
        {
            final String key = prefix + i;
            v = store.journal().append(delta.clear().put(key, value(key, stamp)));
        }
        assertTrue(store.awaitApplied(v, 60, TimeUnit.SECONDS));
    }

    private static String keyOf(final org.agrona.DirectBuffer key, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        key.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void shouldVisitEveryKeyOnceWhenTheConsumerChangesKeysNotVisitedYet()
    {
        try (StateStore store = open(); StateReader reader = store.newReader())
        {
            putAll(store, "k/", KEYS, 1);
            store.checkpoint();   // every key in the chain, the overlay empty
            final Map<String, Integer> seen = new HashMap<>();
            final long count = reader.forEach("k/", (k, ko, kl, value, vo, vl) ->
            {
                if (seen.isEmpty())
                {
                    putAll(store, "k/", KEYS, 2);   // every key now also in the overlay, inserted after the start
                }
                seen.merge(keyOf(k, ko, kl), 1, Integer::sum);
            });
            assertEquals(KEYS, seen.size(), "keys live before the iteration and never deleted must all be visited");
            seen.forEach((key, times) -> assertEquals(1, times, key));
            assertEquals(KEYS, count);
        }
    }

    @Test
    void shouldVisitEveryKeyOnceAcrossACheckpointSwapInsideTheIteration()
    {
        try (StateStore store = open(); StateReader reader = store.newReader())
        {
            putAll(store, "k/", KEYS, 1);
            store.checkpoint();
            putAll(store, "k/", KEYS / 2, 2);   // half in the overlay too
            final Map<String, String> seen = new HashMap<>();
            reader.forEach("k/", (k, ko, kl, value, vo, vl) ->
            {
                if (seen.isEmpty())
                {
                    putAll(store, "k/", KEYS, 3);
                    store.checkpoint();   // the iteration's generation is replaced (and must not be freed under it)
                    putAll(store, "k/", KEYS, 4);
                }
                final String key = keyOf(k, ko, kl);
                final String text = keyOf(value, vo, vl);
                assertTrue(text.startsWith(key + "@"), "value of another key: " + key + " -> " + text);
                assertNull(seen.put(key, text), "visited twice: " + key);
            });
            assertEquals(KEYS, seen.size());
        }
    }

    @Test
    void shouldKeepTheOuterValueWhenReadsNestInsideACallback()
    {
        try (StateStore store = open(); StateReader reader = store.newReader())
        {
            putAll(store, "a/", 10, 1);
            store.checkpoint();
            putAll(store, "b/", 10, 1);   // b/ in the overlay, a/ in the chain
            final int[] checked = {0};
            reader.forEach("", (k, ko, kl, value, vo, vl) ->
            {
                final String key = keyOf(k, ko, kl);
                final String other = key.startsWith("a/") ? "b/3" : "a/7";
                assertArrayEquals(value(other, 1), reader.get(other));
                final long inner = reader.forEach(other.substring(0, 2), (k2, ko2, kl2, v2, vo2, vl2) ->
                    assertTrue(keyOf(v2, vo2, vl2).startsWith(keyOf(k2, ko2, kl2) + "@")));
                assertEquals(10, inner);
                final String sibling = other.substring(0, 2) + (Integer.parseInt(other.substring(2)) + 1);
                reader.read(other, (buffer, offset, length) ->
                {
                    // a nested read from the same layer, then a checkpoint that replaces the generation
                    assertArrayEquals(value(sibling, 1), reader.get(sibling));
                    store.checkpoint();
                    assertArrayEquals(value(key, 1), reader.get(key));
                    assertEquals(other + "@1", keyOf(buffer, offset, length), "outer value re-pointed by a nested read");
                    return null;
                });
                assertEquals(key + "@1", keyOf(value, vo, vl), "outer value re-pointed by a nested read");
                checked[0]++;
            });
            assertEquals(20, checked[0]);
        }
    }

    @Test
    void shouldFailACallThatRacesCloseWithIllegalStateExceptionAndFreeOnlyAfterItLeft() throws Exception
    {
        final StateStore store = StateStore.open(new StateContext().directory(dir).background(false).snapshotIndex(false)
            .closeReaderWaitMs(0));
        putAll(store, "k/", KEYS, 1);
        store.checkpoint();
        putAll(store, "k/", KEYS / 2, 2);
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final int[] afterClose = {0};
        final Thread iterating = new Thread(() ->
        {
            try (StateReader reader = store.newReader())
            {
                reader.forEach("k/", (k, ko, kl, value, vo, vl) ->
                {
                    if (inside.getCount() == 1)
                    {
                        inside.countDown();
                        try
                        {
                            assertTrue(closed.await(60, TimeUnit.SECONDS));
                        }
                        catch (final InterruptedException ex)
                        {
                            throw new AssertionError(ex);
                        }
                        // the store is closed but this reader is still inside: its memory is still there
                        final String key = keyOf(k, ko, kl);
                        assertTrue(keyOf(value, vo, vl).startsWith(key + "@"));
                        afterClose[0]++;
                    }
                });
                outcome.set(new AssertionError("forEach went on after close"));
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        });
        iterating.start();
        assertTrue(inside.await(60, TimeUnit.SECONDS));
        store.close();   // does not wait for the reader (closeReaderWaitMs 0): the reader frees as it leaves
        closed.countDown();
        iterating.join(60_000);
        assertEquals(1, afterClose[0]);
        assertInstanceOf(IllegalStateException.class, outcome.get());
        assertTrue(outcome.get().getMessage().contains("closed"), outcome.get().getMessage());
        assertThrows(IllegalStateException.class, store::newReader);
        assertFalse(store.reclaimPending(), "the last reader out frees what it held");
    }

    @Test
    void shouldRefuseReadsAndCallsAfterCloseWithIllegalStateException()
    {
        final StateStore store = open();
        final StateReader reader = store.newReader();
        putAll(store, "k/", 10, 1);
        store.close();
        store.close();   // idempotent
        for (final Runnable call : new Runnable[] {
            () -> reader.get("k/1"), () -> reader.forEach("", (k, ko, kl, v, vo, vl) -> { }), store::checkpoint,
            () -> store.stateAt(1), () -> store.history("k/1"), () -> store.diff(1, 2), store::historyRange})
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, call::run);
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        }
    }

    @Test
    void shouldWaitForACheckpointCallInProgressBeforeFreeing() throws Exception
    {
        final StateStore store = open();
        putAll(store, "k/", 20_000, 1);
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final CountDownLatch started = new CountDownLatch(1);
        final Thread checkpointing = new Thread(() ->
        {
            try
            {
                started.countDown();
                for (int i = 0; i < 1000; i++)
                {
                    putAll(store, "k/", 50, i + 2);
                    store.checkpoint();
                }
                outcome.set(new AssertionError("close never stopped the checkpoint loop"));
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        });
        checkpointing.start();
        assertTrue(started.await(60, TimeUnit.SECONDS));
        store.close();
        checkpointing.join(120_000);
        assertFalse(checkpointing.isAlive());
        final Throwable ex = outcome.get();
        assertTrue(ex instanceof IllegalStateException && ex.getMessage().contains("closed"), String.valueOf(ex));
        try (StateStore reopened = open(); StateReader reader = reopened.newReader())
        {
            assertNotNull(reader.get("k/19999"));
        }
    }
}
