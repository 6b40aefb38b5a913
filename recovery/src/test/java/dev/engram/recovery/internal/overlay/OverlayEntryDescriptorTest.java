package dev.engram.recovery.internal.overlay;

import org.junit.jupiter.api.Test;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class OverlayEntryDescriptorTest
{
    @Test
    void shouldLayOutEntryFieldsAsDocumented()
    {
        assertEquals(0, SEQUENCE_OFFSET);
        assertEquals(8, VERSION_OFFSET);
        assertEquals(16, KIND_OFFSET);
        assertEquals(20, KEY_LENGTH_OFFSET);
        assertEquals(24, A_OFFSET);
        assertEquals(32, B_OFFSET);
        assertEquals(40, VALUE_LENGTH_OFFSET);
        assertEquals(48, CREATED_VERSION_OFFSET);
        assertEquals(56, KEY_OFFSET);
        assertEquals(0, KEY_OFFSET % 8, "keys start 8-byte aligned (compared a long at a time)");
        assertEquals(0, SLOT_HASH_OFFSET);
        assertEquals(8, SLOT_ENTRY_OFFSET);
        assertEquals(16, SLOT_LENGTH);
    }
}
