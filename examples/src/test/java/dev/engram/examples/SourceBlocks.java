package dev.engram.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * Blocks of code out of documents and sources, as text: a fenced block of a Markdown section, the body of a Java
 * method. Lines keep their words; indentation common to all of them is removed and trailing spaces dropped, so
 * a block and the same code indented inside a method compare equal.
 */
final class SourceBlocks
{
    private SourceBlocks()
    {
    }

    /**
     * @param markdown the document.
     * @param heading  the section's heading line, e.g. {@code "## Embedding"}.
     * @param language the fence's language, e.g. {@code "java"}.
     * @return the one block fenced with {@code ```language} in that section (up to the next heading of any level).
     * @throws AssertionError if the section is missing or holds no such block or more than one.
     */
    static String markdownBlock(final String markdown, final String heading, final String language)
    {
        final List<String> lines = markdown.lines().toList();
        final int start = lines.indexOf(heading);
        if (start < 0)
        {
            throw new AssertionError("no section '" + heading + "'");
        }
        final List<List<String>> blocks = new ArrayList<>();
        List<String> block = null;
        for (int i = start + 1; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (block == null && line.startsWith("#"))
            {
                break;
            }
            if (block == null && line.equals("```" + language))
            {
                block = new ArrayList<>();
            }
            else if (block != null && line.equals("```"))
            {
                blocks.add(block);
                block = null;
            }
            else if (block != null)
            {
                block.add(line);
            }
        }
        if (blocks.size() != 1)
        {
            throw new AssertionError("section '" + heading + "' holds " + blocks.size() + " ```" + language +
                " blocks, expected exactly one");
        }
        return normalise(blocks.get(0));
    }

    /**
     * @param source    a Java source in Allman style (the opening brace of a method on its own line).
     * @param signature the method's declaration line, trimmed, e.g. {@code "public static void main(final String[] args)"}.
     * @return the method's body, between its braces.
     * @throws AssertionError if the method is missing.
     */
    static String methodBody(final String source, final String signature)
    {
        final List<String> lines = source.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++)
        {
            if (lines.get(i).trim().equals(signature) && lines.get(i + 1).trim().equals("{"))
            {
                final String closing = lines.get(i + 1).replace('{', '}');   // the same indentation
                final int end = lines.subList(i + 2, lines.size()).indexOf(closing);
                if (end < 0)
                {
                    throw new AssertionError("no closing brace of " + signature);
                }
                return normalise(lines.subList(i + 2, i + 2 + end));
            }
        }
        throw new AssertionError("no method '" + signature + "' (with its opening brace on the next line)");
    }

    private static String normalise(final List<String> lines)
    {
        int indent = Integer.MAX_VALUE;
        for (final String line : lines)
        {
            if (!line.isBlank())
            {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        final StringBuilder text = new StringBuilder();
        for (final String line : lines)
        {
            text.append(line.isBlank() ? "" : line.substring(indent).stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
