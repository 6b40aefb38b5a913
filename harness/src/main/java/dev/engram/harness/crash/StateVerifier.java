package dev.engram.harness.crash;

import dev.engram.engine.Engram;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares an engine's whole state with a reference model: the same keys, each with the same bytes.
 */
final class StateVerifier
{
    private StateVerifier()
    {
    }

    /**
     * @return null if equal, else a description of the first differences.
     */
    static String compare(final Engram engram, final Map<String, byte[]> model)
    {
        final Map<String, byte[]> actual = new HashMap<>();
        engram.forEach("", actual::put);
        final StringBuilder problems = new StringBuilder();
        final TreeSet<String> missing = new TreeSet<>(model.keySet());
        missing.removeAll(actual.keySet());
        final TreeSet<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(model.keySet());
        if (!missing.isEmpty())
        {
            problems.append("missing keys ").append(first(missing)).append("; ");
        }
        if (!extra.isEmpty())
        {
            problems.append("unexpected keys ").append(first(extra)).append("; ");
        }
        int differing = 0;
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            final byte[] value = actual.get(entry.getKey());
            if (value != null && !Arrays.equals(value, entry.getValue()))
            {
                if (differing++ < 5)
                {
                    problems.append("value differs: ").append(entry.getKey()).append(" (").append(value.length)
                        .append(" vs model ").append(entry.getValue().length).append(" bytes); ");
                }
            }
        }
        if (differing > 5)
        {
            problems.append(differing).append(" values differ in all; ");
        }
        return problems.length() == 0 ? null : problems.toString();
    }

    private static String first(final TreeSet<String> keys)
    {
        return keys.size() <= 5 ? keys.toString() : keys.headSet(keys.stream().skip(5).findFirst().orElseThrow()) + " and " +
            (keys.size() - 5) + " more";
    }
}
