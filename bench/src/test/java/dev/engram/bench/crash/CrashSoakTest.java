package dev.engram.bench.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CrashSoakTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecoverTheModelAfterEveryKillInAShortSoak() throws Exception
    {
        final int cycles = Math.max(3, Integer.getInteger("engram.test.crashCycles", 20) / 5);
        final CrashSoak.Summary summary = new CrashSoak(dir.resolve("soak"), System.nanoTime(), 4000, m -> m)
            .run(cycles, System.out::println);
        System.out.println(summary.describe());
        assertTrue(summary.passed(), summary.describe());
        assertEquals(cycles, summary.recoveries());
        assertEquals(0, summary.versionsLost());
        assertTrue(summary.finalVersion() > 0);
    }

    @Test
    void shouldFailTheRunWhenTheRecoveredStateDiffersFromTheModel() throws Exception
    {
        final CrashSoak.Summary summary = new CrashSoak(dir.resolve("wrong"), 42, 4000, model ->
        {
            // a deliberately wrong model: one byte of the consciousness summary changed
            final Map<String, byte[]> wrong = new HashMap<>(model);
            final byte[] value = wrong.get("consciousness") != null ? wrong.get("consciousness").clone() :
                wrong.values().iterator().next().clone();
            value[value.length - 1] ^= 1;
            wrong.put(wrong.containsKey("consciousness") ? "consciousness" : wrong.keySet().iterator().next(), value);
            return wrong;
        }).run(1, System.out::println);
        System.out.println(summary.describe());
        assertFalse(summary.passed());
        assertTrue(summary.failure().contains("differs from the model"), summary.failure());
        assertTrue(summary.failure().contains("value differs"), summary.failure());
        assertNotNull(summary.keptDirectory());
    }
}
