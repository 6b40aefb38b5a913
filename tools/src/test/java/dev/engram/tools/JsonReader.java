package dev.engram.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of one JSON value (RFC 8259) for tests of {@code --json} output: objects as maps, arrays as lists,
 * numbers as Long or Double; anything else, or anything after the value but whitespace, fails.
 */
final class JsonReader
{
    private final String text;
    private int at;

    private JsonReader(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text)
    {
        final JsonReader reader = new JsonReader(text);
        final Object value = reader.value();
        reader.space();
        if (reader.at != text.length())
        {
            throw reader.error("text after the value");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String text)
    {
        final Object value = parse(text);
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>)value;
    }

    private Object value()
    {
        space();
        if (at >= text.length())
        {
            throw error("end of text");
        }
        final char c = text.charAt(at);
        if (c == '{')
        {
            at++;
            final Map<String, Object> map = new LinkedHashMap<>();
            space();
            if (peek('}'))
            {
                return map;
            }
            do
            {
                space();
                final String name = string();
                space();
                expect(':');
                if (map.put(name, value()) != null)
                {
                    throw error("duplicate name " + name);
                }
                space();
            }
            while (peek(','));
            expect('}');
            return map;
        }
        if (c == '[')
        {
            at++;
            final List<Object> list = new ArrayList<>();
            space();
            if (peek(']'))
            {
                return list;
            }
            do
            {
                list.add(value());
                space();
            }
            while (peek(','));
            expect(']');
            return list;
        }
        if (c == '"')
        {
            return string();
        }
        for (final String word : new String[] {"true", "false", "null"})
        {
            if (text.startsWith(word, at))
            {
                at += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        final int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
        final String number = text.substring(start, at);
        if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"))
        {
            throw error("bad value '" + number + "'");
        }
        return number.matches("-?[0-9]+") ? (Object)Long.valueOf(number) : (Object)Double.valueOf(number);
    }

    private String string()
    {
        expect('"');
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            if (at >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(at++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in a string");
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            final char e = text.charAt(at++);
            switch (e)
            {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' ->
                {
                    out.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void space()
    {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
    }

    private boolean peek(final char c)
    {
        if (at < text.length() && text.charAt(at) == c)
        {
            at++;
            return true;
        }
        return false;
    }

    private void expect(final char c)
    {
        if (!peek(c))
        {
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException("JSON: " + what + " at " + at + " of: " + text);
    }
}
