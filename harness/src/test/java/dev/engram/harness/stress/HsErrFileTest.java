package dev.engram.harness.stress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class HsErrFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSummariseSignalThreadAndStack() throws Exception
    {
        final Path file = dir.resolve("hs_err_pid42.log");
        Files.writeString(file, """
            #
            #  SIGSEGV (0xb) at pc=0x00007f9c7c96fcd0, pid=42, tid=7014
            #
            # Problematic frame:
            # v  ~StubRoutines::jbyte_disjoint_arraycopy
            #
            Current thread (0x00007f9c8c6843f0):  JavaThread "stress-reader-0" daemon [_thread_in_Java, id=7014]

            Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)
            v  ~StubRoutines::jbyte_disjoint_arraycopy
            J 1607 c2 org.agrona.UnsafeApi.copyMemory(Ljava/lang/Object;JLjava/lang/Object;JJ)V (14 bytes) @ 0x00007f9c7cf61f6f
            J 1562 c1 dev.engram.recovery.internal.overlay.OverlayReader.read(Lorg/agrona/concurrent/UnsafeBuffer;)Ldev/engram/recovery/OverlayReader$Result; (218 bytes)

            siginfo: si_signo: 11 (SIGSEGV), si_code: 1 (SEGV_MAPERR), si_addr: 0x0000000000079d6f
            """);
        assertEquals(java.util.List.of(file), HsErrFile.find(dir));
        final String summary = HsErrFile.summarize(file);
        assertTrue(summary.startsWith("SIGSEGV (0xb)"), summary);
        assertTrue(summary.contains("si_addr: 0x0000000000079d6f"), summary);
        assertTrue(summary.contains("\"stress-reader-0\""), summary);
        assertTrue(summary.contains("J UnsafeApi.copyMemory <- J OverlayReader.read"), summary);
    }

    @Test
    void shouldNameTheCompiledCallersOfAStub() throws Exception
    {
        final Path file = dir.resolve("hs_err_pid43.log");
        Files.writeString(file, """
            #  SIGSEGV (0xb) at pc=0x1, pid=43, tid=1
            Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)
            v  ~StubRoutines::jshort_disjoint_arraycopy

            Stack slot to memory mapping:
            Compiled method (c2)    3250 2003       4       org.agrona.UnsafeApi::copyMemory (14 bytes)
            Compiled method (c1)    3258 1833       3       org.agrona.AbstractMutableDirectBuffer::putBytes (55 bytes)
            """);
        final String summary = HsErrFile.summarize(file);
        assertTrue(summary.contains("compiled methods on the stack: UnsafeApi::copyMemory, AbstractMutableDirectBuffer::putBytes"),
            summary);
    }
}
