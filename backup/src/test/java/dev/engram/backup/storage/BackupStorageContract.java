package dev.engram.backup.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link BackupStorage} keeps. A storage module extends it with a factory (this class is in the
 * backup module's test-jar) and gets these tests against its implementation.
 */
public abstract class BackupStorageContract
{
    protected BackupStorage storage;

    /** A new, empty storage for one test. */
    protected abstract BackupStorage newStorage() throws Exception;

    @BeforeEach
    void openStorage() throws Exception
    {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() throws Exception
    {
        storage.close();
    }

    @Test
    void putIfAbsentWritesOnceAndNeverReplaces() throws Exception
    {
        assertTrue(storage.putIfAbsent("packs/ab/one", bytes("first")));
        assertFalse(storage.putIfAbsent("packs/ab/one", bytes("second, longer")));
        assertArrayEquals(bytes("first"), storage.get("packs/ab/one"));
        assertEquals(5, storage.size("packs/ab/one"));
    }

    @Test
    void emptyObjectsAreObjects() throws Exception
    {
        assertTrue(storage.putIfAbsent("empty", new byte[0]));
        assertTrue(storage.exists("empty"));
        assertEquals(0, storage.get("empty").length);
        assertEquals(0, storage.get("empty", 0, 0).length);
    }

    @Test
    void rangeReadsReturnExactlyTheRange() throws Exception
    {
        final byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i * 31 + 7);
        }
        storage.putIfAbsent("r", data);
        final byte[] range = storage.get("r", 1234, 5000);
        for (int i = 0; i < range.length; i++)
        {
            assertEquals(data[1234 + i], range[i]);
        }
        assertArrayEquals(new byte[] {data[9999]}, storage.get("r", 9999, 1));
        assertThrows(EOFException.class, () -> storage.get("r", 9999, 2));
        assertThrows(EOFException.class, () -> storage.get("r", 20_000, 1));
    }

    @Test
    void missingObjectsAreNamed() throws Exception
    {
        assertFalse(storage.exists("nothing/here"));
        final NoSuchObjectException whole = assertThrows(NoSuchObjectException.class, () -> storage.get("nothing/here"));
        assertEquals("nothing/here", whole.key());
        assertThrows(NoSuchObjectException.class, () -> storage.get("nothing/here", 0, 1));
        assertThrows(NoSuchObjectException.class, () -> storage.size("nothing/here"));
        assertFalse(storage.delete("nothing/here"));
    }

    @Test
    void listReturnsTheKeysUnderAPrefixInOrder() throws Exception
    {
        for (final String key : List.of("manifests/02", "manifests/01", "packs/aa/x", "packs/ab/y", "packsx", "index/z"))
        {
            storage.putIfAbsent(key, bytes(key));
        }
        assertEquals(List.of("manifests/01", "manifests/02"), storage.list("manifests/"));
        assertEquals(List.of("packs/aa/x", "packs/ab/y"), storage.list("packs/"));
        assertEquals(List.of("packs/aa/x", "packs/ab/y", "packsx"), storage.list("packs"));
        assertEquals(List.of("packs/ab/y"), storage.list("packs/ab"));
        assertEquals(6, storage.list("").size());
        assertEquals(List.of(), storage.list("nope/"));
    }

    @Test
    void deleteRemovesAndTheKeyCanBeWrittenAgain() throws Exception
    {
        storage.putIfAbsent("a/b", bytes("one"));
        assertTrue(storage.delete("a/b"));
        assertFalse(storage.exists("a/b"));
        assertEquals(List.of(), storage.list("a/"));
        assertTrue(storage.putIfAbsent("a/b", bytes("two")));
        assertArrayEquals(bytes("two"), storage.get("a/b"));
    }

    @Test
    void badKeysAreRefused()
    {
        for (final String key : List.of("", "/a", "a/", "a//b", "../a", "a/./b", "a b", "a\\b", "x.tmp", "a/y.tmp/b"))
        {
            assertThrows(IllegalArgumentException.class, () -> storage.putIfAbsent(key, bytes("x")), key);
        }
    }

    @Test
    void racingWritersOfOneKeyHaveExactlyOneWinner() throws Exception
    {
        final int writers = 8;
        final ExecutorService pool = Executors.newFixedThreadPool(writers);
        try
        {
            for (int round = 0; round < 10; round++)
            {
                final String key = "race/" + round;
                final CountDownLatch start = new CountDownLatch(1);
                final List<Future<Boolean>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++)
                {
                    final byte[] content = new byte[64 * 1024 + w];
                    java.util.Arrays.fill(content, (byte)w);
                    results.add(pool.submit(() ->
                    {
                        start.await();
                        return storage.putIfAbsent(key, content);
                    }));
                }
                start.countDown();
                int winners = 0;
                int winner = -1;
                for (int w = 0; w < writers; w++)
                {
                    if (results.get(w).get())
                    {
                        winners++;
                        winner = w;
                    }
                }
                assertEquals(1, winners, "round " + round);
                final byte[] stored = storage.get(key);
                assertEquals(64 * 1024 + winner, stored.length);
                for (final byte b : stored)
                {
                    assertEquals((byte)winner, b);
                }
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    protected static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
