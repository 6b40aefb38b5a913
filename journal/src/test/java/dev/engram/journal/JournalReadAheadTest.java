package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The journal thread's mappings of the cycle file carry {@code MADV_RANDOM} (Linux shows it as {@code rr} in
 * {@code /proc/self/smaps}), so a write fault into the sparse file fills one page, not a whole read-ahead
 * window (see {@link NoReadAheadChunks}), including chunks mapped after the first; and the pages ahead of the
 * writes are populated in steps of {@link NoReadAheadChunks#POPULATE_STEP} rather than faulted in one by one.
 */
class JournalReadAheadTest
{
    private static final Path SMAPS = Path.of("/proc/self/smaps");
    private static final java.util.regex.Pattern MAPPING_HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    @TempDir
    Path dir;

    @Test
    void shouldAdviseEveryChunkOfTheCycleFileItWritesAgainstReadAhead() throws IOException
    {
        assumeTrue(Files.isReadable(SMAPS), "needs Linux /proc/self/smaps");
        final int maxDelta = 64 * 1024;
        final JournalContext ctx = new JournalContext().directory(dir).ringSlotCount(1024).ringSlotLength(8192)
            .maxDeltaLength(maxDelta).chronicleBlockSize(4L * maxDelta);
        try (Journal journal = Journal.open(ctx))
        {
            final Delta delta = journal.newDelta();
            final byte[] value = new byte[4000];
            long last = 0;
            for (int i = 0; i < 400; i++)   // ~1.6 MB: crosses several 256 KiB chunks
            {
                value[0] = (byte)i;
                last = journal.append(delta.clear().put("user/" + (i % 50), value));
            }
            assertTrue(journal.awaitWritten(last, 30, TimeUnit.SECONDS));
            final List<String> flags = cycleFileMappingFlags();
            assertFalse(flags.isEmpty(), "no mapping of a cycle file found in " + SMAPS);
            for (final String vmFlags : flags)
            {
                assertTrue((" " + vmFlags + " ").contains(" rr "), "cycle file mapped without MADV_RANDOM: " + flags);
            }
        }
    }

    @Test
    void shouldPopulateThePagesAheadOfTheWritesInOneStep() throws IOException
    {
        assumeTrue(Files.isReadable(SMAPS), "needs Linux /proc/self/smaps");
        assumeTrue(kernelAtLeast(5, 14), "MADV_POPULATE_WRITE needs Linux 5.14: " + System.getProperty("os.version"));
        try (Journal journal = Journal.open(new JournalContext().directory(dir)))
        {
            final Delta delta = journal.newDelta();
            long last = 0;
            for (int i = 0; i < 20; i++)   // ~3 KB: a page or two of frames
            {
                last = journal.append(delta.clear().put("user/" + i, new byte[100]));
            }
            assertTrue(journal.awaitWritten(last, 60, TimeUnit.SECONDS));
            final long writtenEnd = journal.writtenBytes();
            final long residentKb = cycleFileResidentKb();
            // faulted in page by page, only the pages written (Chronicle's header and index, the frames) are resident;
            // populated, a whole step past the frames is
            assertTrue(residentKb * 1024 >= NoReadAheadChunks.POPULATE_STEP,
                "resident " + residentKb + " KiB of the cycle file's mappings after " + writtenEnd + " bytes of frames");
        }
    }

    private static boolean kernelAtLeast(final int major, final int minor)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version", ""));
        if (!m.find())
        {
            return false;
        }
        final int ma = Integer.parseInt(m.group(1));
        return ma > major || ma == major && Integer.parseInt(m.group(2)) >= minor;
    }

    /** Resident KiB of every mapping of a {@code .cq4} file under {@link #dir}. */
    private long cycleFileResidentKb() throws IOException
    {
        return cycleFileMappingFields("Rss:").stream().mapToLong(v -> Long.parseLong(v.replace("kB", "").trim())).sum();
    }

    /** VmFlags of every mapping of a {@code .cq4} file under {@link #dir}. */
    private List<String> cycleFileMappingFlags() throws IOException
    {
        return cycleFileMappingFields("VmFlags:");
    }

    /** The value of the {@code key} line of every mapping of a {@code .cq4} file under {@link #dir}. */
    private List<String> cycleFileMappingFields(final String key) throws IOException
    {
        final List<String> values = new ArrayList<>();
        final String prefix = dir.toRealPath().toString();
        boolean inCycleFile = false;
        for (final String line : Files.readAllLines(SMAPS))
        {
            if (MAPPING_HEADER.matcher(line).lookingAt())
            {
                // a mapping's first line: address range, perms, offset, dev, inode, path
                final String trimmed = line.trim();
                final int slash = trimmed.indexOf('/');
                final String path = slash < 0 ? "" : trimmed.substring(slash);
                inCycleFile = path.startsWith(prefix) && path.endsWith(".cq4");
            }
            else if (inCycleFile && line.startsWith(key))
            {
                values.add(line.substring(key.length()).trim());
            }
        }
        return values;
    }
}
