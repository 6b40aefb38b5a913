package dev.engram.journal;

import java.util.List;

/**
 * The JVM was started without flags Engram needs (Chronicle Queue, Chronicle Map and Agrona reach JDK internals
 * that Java 17 keeps closed). Thrown by every open ({@code Engram.open}, {@code StateStore.open},
 * {@link Journal#open}) before anything touches the state directory; the message lists the missing flags and
 * the whole set, ready to paste. See {@link JvmFlagsCheck}.
 */
public final class EngramJvmFlagsException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient List<String> missingFlags;

    EngramJvmFlagsException(final String message, final List<String> missingFlags)
    {
        super(message);
        this.missingFlags = List.copyOf(missingFlags);
    }

    /**
     * @return the missing flags in command-line form, e.g. {@code --add-opens=java.base/java.lang=ALL-UNNAMED}.
     */
    public List<String> missingFlags()
    {
        return missingFlags;
    }
}
