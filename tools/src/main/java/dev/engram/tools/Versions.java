package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StateSnapshot;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * How the CLI reads a version argument: a number (a version), an ISO-8601 instant ({@code 2026-12-07T03:00:00Z}:
 * the last version written at or before it), or a tag name ({@code tag:NAME} or a plain name that is a tag).
 */
final class Versions
{
    private Versions()
    {
    }

    /**
     * @param spec the argument; null: the written version.
     */
    static StateSnapshot stateAt(final ReadOnlyState state, final String spec)
    {
        if (spec == null)
        {
            return state.stateAt(state.historyRange().newestVersion());
        }
        if (looksLikeInstant(spec))
        {
            try
            {
                return state.stateAt(Instant.parse(spec));
            }
            catch (final DateTimeParseException ex)
            {
                throw new IllegalArgumentException("not a version, an ISO-8601 instant or a tag: '" + spec + "'", ex);
            }
        }
        return state.stateAt(version(state, spec));
    }

    /**
     * @return the version a number or tag names (an instant is not accepted here).
     */
    static long version(final ReadOnlyState state, final String spec)
    {
        try
        {
            return Long.parseLong(spec);
        }
        catch (final NumberFormatException ex)
        {
            final String name = spec.startsWith("tag:") ? spec.substring(4) : spec;
            final Map<String, Long> tags = state.tags();
            final Long version = tags.get(name);
            if (version == null)
            {
                throw new IllegalArgumentException("not a version or a tag: '" + spec + "' (tags: " +
                    (tags.isEmpty() ? "none" : String.join(", ", tags.keySet())) + ")");
            }
            return version;
        }
    }

    private static boolean looksLikeInstant(final String spec)
    {
        return spec.length() > 10 && Character.isDigit(spec.charAt(0)) && spec.indexOf('T') > 0 && !spec.startsWith("tag:");
    }
}
