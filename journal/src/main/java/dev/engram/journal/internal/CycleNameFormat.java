package dev.engram.journal.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Formats and parses Chronicle roll-cycle file names ({@code yyyyMMdd-HH'F'} and the like, always UTC) with
 * plain arithmetic, so naming the journal's files does not load {@code java.time}'s formatting machinery on
 * the restart path. Supports the pattern letters {@code y M d H m s} in fixed widths, quoted literals and
 * other literal characters, which covers Chronicle's roll cycles; {@link #compile} returns null for
 * anything else (the caller then falls back to {@code DateTimeFormatter}).
 */
final class CycleNameFormat
{
    private static final long MS_PER_DAY = 86_400_000L;

    private final char[] fields;    // 'y', 'M', 'd', 'H', 'm', 's', or 0 for a literal
    private final int[] widths;
    private final String[] literals;
    private final int length;

    private CycleNameFormat(final List<Character> fields, final List<Integer> widths, final List<String> literals)
    {
        this.fields = new char[fields.size()];
        this.widths = new int[fields.size()];
        this.literals = literals.toArray(new String[0]);
        int total = 0;
        for (int i = 0; i < this.fields.length; i++)
        {
            this.fields[i] = fields.get(i);
            this.widths[i] = widths.get(i);
            total += this.fields[i] == 0 ? this.literals[i].length() : this.widths[i];
        }
        this.length = total;
    }

    /**
     * @param pattern a {@code DateTimeFormatter} pattern.
     * @return the format, or null if the pattern uses anything beyond fixed-width y/M/d/H/m/s and literals.
     */
    static CycleNameFormat compile(final String pattern)
    {
        final List<Character> fields = new ArrayList<>();
        final List<Integer> widths = new ArrayList<>();
        final List<String> literals = new ArrayList<>();
        int i = 0;
        while (i < pattern.length())
        {
            final char c = pattern.charAt(i);
            if (c == '\'')
            {
                final int end = pattern.indexOf('\'', i + 1);
                if (end <= i + 1)
                {
                    return null;   // '' (an escaped quote) or unterminated
                }
                addLiteral(fields, widths, literals, pattern.substring(i + 1, end));
                i = end + 1;
            }
            else if (c == 'y' || c == 'M' || c == 'd' || c == 'H' || c == 'm' || c == 's')
            {
                int end = i;
                while (end < pattern.length() && pattern.charAt(end) == c)
                {
                    end++;
                }
                final int width = end - i;
                if ((c == 'y' && width != 4) || (c != 'y' && width != 2))
                {
                    return null;
                }
                fields.add(c);
                widths.add(width);
                literals.add(null);
                i = end;
            }
            else if (Character.isLetter(c) || c == '[' || c == ']' || c == '{' || c == '}' || c == '#')
            {
                return null;   // another pattern letter or an optional section
            }
            else
            {
                addLiteral(fields, widths, literals, String.valueOf(c));
                i++;
            }
        }
        return new CycleNameFormat(fields, widths, literals);
    }

    private static void addLiteral(final List<Character> fields, final List<Integer> widths, final List<String> literals,
        final String text)
    {
        fields.add((char)0);
        widths.add(0);
        literals.add(text);
    }

    /**
     * @param epochMs a UTC instant, >= 0.
     * @return its name.
     */
    String format(final long epochMs)
    {
        final long days = Math.floorDiv(epochMs, MS_PER_DAY);
        final long msOfDay = Math.floorMod(epochMs, MS_PER_DAY);
        final long civil = civilFromDays(days);
        final int year = (int)(civil >> 16);
        final int month = (int)((civil >> 8) & 0xFF);
        final int day = (int)(civil & 0xFF);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < fields.length; i++)
        {
            switch (fields[i])
            {
                case 'y' -> pad(sb, year, 4);
                case 'M' -> pad(sb, month, 2);
                case 'd' -> pad(sb, day, 2);
                case 'H' -> pad(sb, (int)(msOfDay / 3_600_000L), 2);
                case 'm' -> pad(sb, (int)(msOfDay / 60_000L % 60), 2);
                case 's' -> pad(sb, (int)(msOfDay / 1000L % 60), 2);
                default -> sb.append(literals[i]);
            }
        }
        return sb.toString();
    }

    /**
     * @param name a file name stem (no suffix).
     * @return the UTC instant it names, or -1 if it does not match the pattern or names no valid date and time.
     */
    long parse(final String name)
    {
        if (name.length() != length)
        {
            return -1;
        }
        int year = 1970;
        int month = 1;
        int day = 1;
        int hour = 0;
        int minute = 0;
        int second = 0;
        int position = 0;
        for (int i = 0; i < fields.length; i++)
        {
            if (fields[i] == 0)
            {
                if (!name.startsWith(literals[i], position))
                {
                    return -1;
                }
                position += literals[i].length();
                continue;
            }
            final int value = digits(name, position, widths[i]);
            if (value < 0)
            {
                return -1;
            }
            position += widths[i];
            switch (fields[i])
            {
                case 'y' -> year = value;
                case 'M' -> month = value;
                case 'd' -> day = value;
                case 'H' -> hour = value;
                case 'm' -> minute = value;
                default -> second = value;
            }
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return -1;
        }
        return daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000L + minute * 60_000L + second * 1000L;
    }

    private static int digits(final String text, final int from, final int width)
    {
        int value = 0;
        for (int i = from; i < from + width; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void pad(final StringBuilder sb, final int value, final int width)
    {
        final String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++)
        {
            sb.append('0');
        }
        sb.append(digits);
    }

    private static int daysInMonth(final int year, final int month)
    {
        return switch (month)
        {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /**
     * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's {@code days_from_civil}).
     */
    static long daysFromCivil(final int year, final int month, final int day)
    {
        final long y = month <= 2 ? year - 1 : year;
        final long era = Math.floorDiv(y, 400);
        final long yearOfEra = y - era * 400;
        final long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        final long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /**
     * The date of a day count since 1970-01-01 ({@code civil_from_days}), packed as year << 16 | month << 8 | day.
     */
    static long civilFromDays(final long days)
    {
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long mp = (5 * dayOfYear + 2) / 153;
        final long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        final long month = mp < 10 ? mp + 3 : mp - 9;
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return year << 16 | month << 8 | day;
    }
}
