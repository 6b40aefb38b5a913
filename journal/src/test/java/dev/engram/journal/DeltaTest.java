package dev.engram.journal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DeltaTest
{
    @Test
    void shouldRejectBadInputAndKeepEarlierOps()
    {
        final Delta delta = new Delta(16, 256).put("a", new byte[] {1});
        final int length = delta.opsLength();

        assertMessage(() -> delta.put(null, new byte[1]), "key must not be null");
        assertMessage(() -> delta.put("", new byte[1]), "key must not be empty");
        assertMessage(() -> delta.put("k".repeat(17), new byte[1]), "keyLength=17");
        assertMessage(() -> delta.put("k", (byte[])null), "value must not be null");
        assertMessage(() -> delta.patch("k", -1, new byte[1]), "patchOffset=-1");
        assertMessage(() -> delta.put("k", new byte[300]), "maxDeltaLength=256");
        assertMessage(() -> delta.put("bad\uD800", new byte[1]), "unpaired surrogate");
        assertMessage(() -> delta.delete(null), "key must not be null");

        assertEquals(1, delta.opCount());
        assertEquals(length, delta.opsLength());
    }

    @Test
    void shouldCountMultiByteKeysInUtf8Bytes()
    {
        final Delta delta = new Delta(4, 256);
        delta.put("\u00e9\u00e9", new byte[0]);          // 4 bytes: fits
        assertMessage(() -> delta.put("\u00e9\u00e9\u00e9", new byte[0]), "keyLength=6");
        delta.put("\uD83D\uDE00", new byte[0]);          // one code point, 4 bytes
        assertEquals(2, delta.opCount());
    }

    @Test
    void shouldClearForReuse()
    {
        final Delta delta = new Delta().put("a", new byte[10]).delete("b");
        assertEquals(2, delta.opCount());
        delta.clear();
        assertEquals(0, delta.opCount());
        assertEquals(DeltaFrameDescriptor.MIN_FRAME_LENGTH, delta.frameLength());
    }

    private static void assertMessage(final org.junit.jupiter.api.function.Executable call, final String fragment)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
        assertTrue(ex.getMessage().contains(fragment), () -> "message '" + ex.getMessage() + "' lacks '" + fragment + "'");
    }
}
