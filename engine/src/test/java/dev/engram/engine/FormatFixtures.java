package dev.engram.engine;

import dev.engram.journal.EngramSystemProperties;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes, and describes, the small state directory kept as a fixture of each file format version
 * (engine/src/test/resources/fixtures/format-v1): journal frames v1, a full and a delta checkpoint v1,
 * typed values with envelope v1, raw values, a PATCHed large value and deletions, and a journal tail
 * after the last checkpoint. Regenerate with {@code main(dir)} only when a new format version is added
 * (keep the old fixture: it is the proof that older files still open).
 */
public final class FormatFixtures
{
    static final long VERSIONS = 200;

    private FormatFixtures()
    {
    }

    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().checkpointIntervalMs(0).checkpointEveryFrames(1_000_000);
        ctx.journal().maxDeltaLength(64 * 1024).chronicleBlockSize(256 * 1024);
        ctx.state().snapshotIndex(false).background(false).maxChainLength(3).deltaChangedKeysRatio(10).maxChainSizeRatio(100);
        ctx.codecs().register(PopulationHeaderCodec.INSTANCE);
        return ctx;
    }

    /** The ops of version v, applied to an engine or to the expected map. */
    static void step(final long v, final Engram engram, final Map<String, byte[]> expected, final TypedValues typed)
    {
        final DeltaBuilder delta = engram == null ? null : engram.delta();
        final String user = "user/" + (v % 40);
        final String text = "ctx-" + v;
        final byte[] patch = {(byte)v, (byte)(v >> 8), 7};
        final long patchOffset = (v * 37) % 4000;
        if (delta != null)
        {
            delta.put(user, text).patch("population/0/weights", patchOffset, patch);
            if (v % 10 == 0)
            {
                delta.put("population/" + (v % 3), TypedValuesTestSupport.header());
            }
            if (v % 7 == 0)
            {
                delta.delete("user/" + ((v + 3) % 40));
            }
            delta.put("raw/" + (v % 5), ("raw-" + v).getBytes(StandardCharsets.UTF_8));
            delta.commit();
        }
        if (expected != null)
        {
            expected.put(user, typed.encodeToBytes(text));
            final byte[] current = expected.getOrDefault("population/0/weights", new byte[0]);
            final byte[] next = java.util.Arrays.copyOf(current, (int)Math.max(current.length, patchOffset + patch.length));
            System.arraycopy(patch, 0, next, (int)patchOffset, patch.length);
            expected.put("population/0/weights", next);
            if (v % 10 == 0)
            {
                expected.put("population/" + (v % 3), typed.encodeToBytes(TypedValuesTestSupport.header()));
            }
            if (v % 7 == 0)
            {
                expected.remove("user/" + ((v + 3) % 40));
            }
            expected.put("raw/" + (v % 5), ("raw-" + v).getBytes(StandardCharsets.UTF_8));
        }
    }

    static Map<String, byte[]> expected(final long version)
    {
        final EngramContext ctx = context();
        final TypedValues typed = new TypedValues(ctx.codecs(), ctx.migrations());
        final Map<String, byte[]> expected = new TreeMap<>();
        for (long v = 1; v <= version; v++)
        {
            step(v, null, expected, typed);
        }
        return expected;
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Path dir = Path.of(args[0]);
        if (Files.exists(dir))
        {
            throw new IllegalArgumentException("fixture directory exists: " + dir);
        }
        try (Engram engram = Engram.open(dir, context()))
        {
            for (long v = 1; v <= VERSIONS; v++)
            {
                step(v, engram, null, null);
                if (v == 100 || v == 150)
                {
                    engram.awaitApplied(v, 10, TimeUnit.SECONDS);
                    engram.checkpoint();
                }
            }
            engram.awaitWritten(VERSIONS, 10, TimeUnit.SECONDS);
        }
    }
}
