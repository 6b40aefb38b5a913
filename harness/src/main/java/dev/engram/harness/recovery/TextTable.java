package dev.engram.harness.recovery;

import java.util.ArrayList;
import java.util.List;

/**
 * A table rendered twice: padded columns for the console and GitHub markdown for the report.
 */
public final class TextTable
{
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(final String... header)
    {
        this.header = List.of(header);
    }

    public TextTable row(final String... cells)
    {
        if (cells.length != header.size())
        {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    public boolean isEmpty()
    {
        return rows.isEmpty();
    }

    public String toMarkdown()
    {
        final StringBuilder sb = new StringBuilder();
        line(sb, header);
        sb.append('|');
        for (int i = 0; i < header.size(); i++)
        {
            sb.append("---|");
        }
        sb.append('\n');
        rows.forEach(row -> line(sb, row));
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final List<String> cells)
    {
        sb.append('|');
        for (final String cell : cells)
        {
            sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
        }
        sb.append('\n');
    }

    public String toConsole()
    {
        final int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++)
        {
            widths[i] = header.get(i).length();
            for (final List<String> row : rows)
            {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        pad(sb, header, widths);
        for (int i = 0; i < widths.length; i++)
        {
            sb.append("-".repeat(widths[i])).append(i + 1 < widths.length ? "  " : "\n");
        }
        rows.forEach(row -> pad(sb, row, widths));
        return sb.toString();
    }

    private static void pad(final StringBuilder sb, final List<String> cells, final int[] widths)
    {
        for (int i = 0; i < cells.size(); i++)
        {
            sb.append(cells.get(i));
            if (i + 1 < cells.size())
            {
                sb.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
            }
        }
        sb.append('\n');
    }
}
