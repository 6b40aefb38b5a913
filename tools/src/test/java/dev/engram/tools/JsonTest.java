package dev.engram.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-written JSON of {@code --json}: commas, nesting and escaping (keys are user data: tag names, keys).
 */
class JsonTest
{
    @Test
    void shouldEscapeAndSeparate()
    {
        final Json json = new Json().beginObject()
            .field("quote\"back\\slash", "line\nbreak\ttab\rcr\u0001ctl\u2028ls")
            .field("n", -5)
            .field("ratio", Double.NaN)
            .field("ok", true)
            .field("none", (String)null)
            .name("list").beginArray().value(1).value("é😀").beginObject().endObject().endArray()
            .field("lone", "\ud800x")
            .endObject();
        assertEquals("{\"quote\\\"back\\\\slash\":\"line\\nbreak\\ttab\\rcr\\u0001ctl\\u2028ls\",\"n\":-5,\"ratio\":null," +
            "\"ok\":true,\"none\":null,\"list\":[1,\"é😀\",{}],\"lone\":\"\\ud800x\"}", json.toString());
    }
}
