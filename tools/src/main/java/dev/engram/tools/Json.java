package dev.engram.tools;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small JSON writer for the CLI's {@code --json} output (no JSON library is on the class path): objects, arrays,
 * strings with correct escaping, numbers, booleans, null. Commas are placed by the writer.
 */
final class Json
{
    private final StringBuilder out = new StringBuilder();
    /** Per open container: true once it holds a member (the next one needs a comma). */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    private boolean afterName;

    Json beginObject()
    {
        value();
        out.append('{');
        open.push(new boolean[1]);
        return this;
    }

    Json endObject()
    {
        open.pop();
        out.append('}');
        return this;
    }

    Json beginArray()
    {
        value();
        out.append('[');
        open.push(new boolean[1]);
        return this;
    }

    Json endArray()
    {
        open.pop();
        out.append(']');
        return this;
    }

    Json name(final String name)
    {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    Json value(final String value)
    {
        value();
        if (value == null)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        return this;
    }

    Json value(final long value)
    {
        value();
        out.append(value);
        return this;
    }

    Json value(final double value)
    {
        value();
        out.append(Double.isFinite(value) ? Double.toString(value) : "null");
        return this;
    }

    Json value(final boolean value)
    {
        value();
        out.append(value);
        return this;
    }

    Json field(final String name, final String value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final long value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final double value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    private void value()
    {
        if (afterName)
        {
            afterName = false;
            return;
        }
        separate();
    }

    private void separate()
    {
        final boolean[] container = open.peek();
        if (container != null)
        {
            if (container[0])
            {
                out.append(',');
            }
            container[0] = true;
        }
    }

    private void string(final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default ->
                {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c) && !pairedAt(text, i))
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean pairedAt(final String text, final int i)
    {
        final char c = text.charAt(i);
        if (Character.isHighSurrogate(c))
        {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }

    @Override
    public String toString()
    {
        return out.toString();
    }
}
