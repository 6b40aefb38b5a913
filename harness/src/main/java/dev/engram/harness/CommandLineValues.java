package dev.engram.harness;

import java.util.Locale;

/**
 * Parsing of the bench commands' option values, one way for every command: counts with decimal suffixes
 * ({@code 500k}, {@code 2m}), sizes with binary ones ({@code 64k}, {@code 256m}, {@code 1g}, {@code 1GiB}),
 * plain numbers; {@code _} and {@code ,} are ignored in counts and sizes. Bad input is an
 * {@link IllegalArgumentException} naming the option and what it got.
 */
public final class CommandLineValues
{
    private CommandLineValues()
    {
    }

    /**
     * @return {@code args[i]}, the value after {@code option}.
     */
    public static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /**
     * @return a count: {@code 500000}, {@code 500k}, {@code 2m}, {@code 1_000_000}.
     */
    public static long count(final String option, final String text)
    {
        final String t = strip(text);
        final long multiplier = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
        return scaled(option, text, multiplier == 1 ? t : t.substring(0, t.length() - 1), multiplier,
            "a count like 500000, 500k or 2m");
    }

    /**
     * @return a size in bytes: {@code 4096}, {@code 64k}, {@code 256m}, {@code 1g}, {@code 1GiB}.
     */
    public static long bytes(final String option, final String text)
    {
        final String t = strip(text).replace("ib", "").replace("b", "");
        final long multiplier = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : t.endsWith("g") ? 1L << 30 : 1;
        return scaled(option, text, multiplier == 1 ? t : t.substring(0, t.length() - 1), multiplier,
            "a size like 1024, 256m or 1g");
    }

    /**
     * @return a number (seconds, fractions).
     */
    public static double number(final String option, final String text)
    {
        try
        {
            return Double.parseDouble(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " wants a number: got '" + text + "'", ex);
        }
    }

    /**
     * @return a count that must fit an int.
     */
    public static int intCount(final String option, final String text)
    {
        final long value = count(option, text);
        if (value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(option + " is too large: got '" + text + "'");
        }
        return (int)value;
    }

    /**
     * @return a size that must fit an int.
     */
    public static int intBytes(final String option, final String text)
    {
        final long value = bytes(option, text);
        if (value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(option + " is too large: got '" + text + "'");
        }
        return (int)value;
    }

    private static String strip(final String text)
    {
        return text.trim().replace("_", "").replace(",", "").toLowerCase(Locale.ROOT);
    }

    private static long scaled(final String option, final String text, final String digits, final long multiplier,
        final String example)
    {
        try
        {
            final long n = Long.parseLong(digits);
            if (n < 0)
            {
                throw new NumberFormatException("negative");
            }
            return Math.multiplyExact(n, multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new IllegalArgumentException(option + " wants " + example + ": got '" + text + "'", ex);
        }
    }
}
