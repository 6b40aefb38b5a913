package dev.engram.examples.consciousness;

import dev.engram.engine.Engram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares every live key of an engine with an expected state (the {@link ReferenceModel}'s, or any other map of
 * key to bytes), byte for byte: keys
 * the engine lacks, keys it has that the model does not, and values that differ (with the first differing
 * byte). Streams the engine's values ({@code forEach}) rather than copying its state. The engine must be
 * quiet while it runs (no writes in flight). The one state check of the example's tests, the demo's recoverer and
 * the crash soak.
 */
public final class StateVerifier
{
    /** Mismatches named in the result, per kind; the counts cover all of them. */
    public static final int MAX_NAMED = 10;

    private StateVerifier()
    {
    }

    /**
     * @param engram   the recovered engine.
     * @param expected key → the bytes the engine must store.
     * @return what matched and what did not.
     */
    public static Verification verify(final Engram engram, final Map<String, byte[]> expected)
    {
        final Set<String> seen = new HashSet<>(expected.size() * 2);
        final List<String> extra = new ArrayList<>();
        final List<String> differing = new ArrayList<>();
        final long[] counts = new long[4]; // keys seen, extra, differing, bytes compared
        engram.forEach("", (key, value) ->
        {
            counts[0]++;
            if (!seen.add(key))
            {
                throw new IllegalStateException("forEach visited key=" + key + " twice");
            }
            final byte[] want = expected.get(key);
            if (want == null)
            {
                counts[1]++;
                if (extra.size() < MAX_NAMED)
                {
                    extra.add(key + " (" + value.length + " bytes)");
                }
                return;
            }
            counts[3] += Math.min(want.length, value.length);
            final int at = Arrays.mismatch(want, value);
            if (at >= 0)
            {
                counts[2]++;
                if (differing.size() < MAX_NAMED)
                {
                    differing.add(key + " at byte " + at + " (expected " + want.length + " bytes, found " + value.length + ")");
                }
            }
        });
        final TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(seen);
        final List<String> missingNamed = missing.stream().limit(MAX_NAMED).toList();
        return new Verification(expected.size(), counts[0], counts[3], missing.size(), missingNamed, counts[1],
            List.copyOf(extra), counts[2], List.copyOf(differing));
    }

    /**
     * @param keysExpected  keys in the model.
     * @param keysFound     live keys in the engine.
     * @param bytesCompared value bytes compared.
     * @param missing       keys in the model the engine lacks; {@code missingNamed} the first of them.
     * @param extra         keys in the engine the model lacks; {@code extraNamed} the first of them.
     * @param differing     keys whose bytes differ; {@code differingNamed} the first, with the first differing byte.
     */
    public record Verification(
        long keysExpected, long keysFound, long bytesCompared,
        long missing, List<String> missingNamed,
        long extra, List<String> extraNamed,
        long differing, List<String> differingNamed)
    {
        /** @return true when every key matched byte for byte and nothing was missing or extra. */
        public boolean passed()
        {
            return missing == 0 && extra == 0 && differing == 0 && keysExpected == keysFound;
        }

        /** @return one line when it passed, otherwise the mismatches named. */
        public String describe()
        {
            if (passed())
            {
                return String.format("PASSED: %,d keys, %,d value bytes equal to the reference model", keysFound, bytesCompared);
            }
            return String.format("FAILED: %,d keys expected, %,d found; %,d missing %s, %,d extra %s, %,d differing %s",
                keysExpected, keysFound, missing, missingNamed, extra, extraNamed, differing, differingNamed);
        }
    }
}
