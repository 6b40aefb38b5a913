package dev.engram.harness.backup;

import dev.engram.harness.recovery.TextTable;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's one table (a row per step, a column per system: time, bytes read, bytes written), the restored
 * states' checks, and the targets beside the figures, met or not.
 */
final class BackupBenchReport
{
    static final List<String> SYSTEMS = List.of(EngramSystem.TITLE, RocksSystem.TITLE, ResticSystem.TITLE, TarZstdSystem.TITLE);
    private static final long GIB = 1L << 30;

    private final BackupBenchOptions options;
    private final Map<Step.Kind, Map<String, Step>> steps = new EnumMap<>(Step.Kind.class);
    private final List<String> facts = new ArrayList<>();

    BackupBenchReport(final BackupBenchOptions options)
    {
        this.options = options;
    }

    void add(final Step step)
    {
        steps.computeIfAbsent(step.step(), kind -> new LinkedHashMap<>()).put(step.system(), step);
    }

    /** A line under the table: what the state is, what a system wrote by its own count. */
    void fact(final String line)
    {
        facts.add(line);
    }

    Step step(final Step.Kind kind, final String system)
    {
        final Step step = steps.getOrDefault(kind, Map.of()).get(system);
        return step != null ? step : Step.skipped(kind, system, "not run");
    }

    /** Whether every check held (restored states equal to the source, verifies clean). */
    boolean ok()
    {
        return steps.values().stream().flatMap(m -> m.values().stream()).allMatch(Step::ok);
    }

    TextTable table()
    {
        final List<String> header = new ArrayList<>();
        header.add("step");
        header.addAll(SYSTEMS);
        final TextTable table = new TextTable(header.toArray(new String[0]));
        for (final Step.Kind kind : Step.Kind.values())
        {
            final List<String> row = new ArrayList<>();
            row.add(title(kind));
            for (final String system : SYSTEMS)
            {
                row.add(cell(step(kind, system)));
            }
            table.row(row.toArray(new String[0]));
        }
        return table;
    }

    private String title(final Step.Kind kind)
    {
        return switch (kind)
        {
            case INCREMENTAL_CHANGE -> String.format("incremental after %s %% of the keys PUT", percent(options.changePercent));
            case INCREMENTAL_PATCH -> String.format("incremental after %s %% of the keys PATCHed", percent(options.patchPercent));
            default -> kind.title;
        };
    }

    private static String percent(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }

    private static String cell(final Step step)
    {
        if (!step.ran())
        {
            return "— (" + step.note() + ")";
        }
        final StringBuilder sb = new StringBuilder(seconds(step.nanos()));
        if (step.read() >= 0)
        {
            sb.append(" · read ").append(bytes(step.read()));
        }
        if (step.written() >= 0)
        {
            sb.append(" · wrote ").append(bytes(step.written()));
        }
        if (!step.check().isEmpty())
        {
            sb.append(step.ok() ? " · ok" : " · FAILED");
        }
        return sb.toString();
    }

    /** The checks of every restored state and verify, one line each. */
    List<String> checks()
    {
        final List<String> lines = new ArrayList<>();
        for (final Map<String, Step> bySystem : steps.values())
        {
            for (final Step step : bySystem.values())
            {
                if (!step.check().isEmpty())
                {
                    lines.add((step.ok() ? "" : "FAILED: ") + step.system() + ", " + step.step().title + ": " + step.check());
                }
            }
        }
        return lines;
    }

    /** The targets, each with the figures it compares and "met" or "not met" ("n/a" when a side did not run). */
    List<String> targets()
    {
        final List<String> lines = new ArrayList<>();
        final Step full = step(Step.Kind.FULL, EngramSystem.TITLE);
        final Step incremental = step(Step.Kind.INCREMENTAL_CHANGE, EngramSystem.TITLE);
        final Step rocksIncremental = step(Step.Kind.INCREMENTAL_CHANGE, RocksSystem.TITLE);
        lines.add(String.format("incremental after %s %% ≤ 3 %% of a full backup's bytes: %s of %s = %.2f %%: %s",
            percent(options.changePercent), bytes(incremental.written()), bytes(full.written()),
            100.0 * incremental.written() / full.written(), met(incremental.written() <= 0.03 * full.written())));
        lines.add(rocksIncremental.ran() ?
            String.format("incremental after %s %% ≤ ½ of what RocksDB's BackupEngine writes: %s vs %s (%.2f x): %s",
                percent(options.changePercent), bytes(incremental.written()), bytes(rocksIncremental.written()),
                (double)incremental.written() / rocksIncremental.written(),
                met(2 * incremental.written() <= rocksIncremental.written())) :
            "incremental ≤ ½ of what RocksDB's BackupEngine writes: n/a (RocksDB did not run)");
        for (final Step.Kind kind : List.of(Step.Kind.FULL, Step.Kind.RESTORE))
        {
            final Step engram = step(kind, EngramSystem.TITLE);
            for (final String peer : List.of(RocksSystem.TITLE, ResticSystem.TITLE))
            {
                final Step other = step(kind, peer);
                lines.add(other.ran() ?
                    String.format("%s faster than %s: %s vs %s: %s", kind.title, peer, seconds(engram.nanos()),
                        seconds(other.nanos()), met(engram.nanos() < other.nanos())) :
                    String.format("%s faster than %s: n/a (%s)", kind.title, peer, other.note()));
            }
        }
        final double scale = (double)options.stateBytes / GIB;
        final String scaled = options.stateBytes == GIB ? "" : String.format(" (the 1 GiB target scaled to this %s state: %s)",
            bytes(options.stateBytes), seconds((long)(3e9 * scale)));
        final long restoreOpen = step(Step.Kind.RESTORE, EngramSystem.TITLE).nanos() + step(Step.Kind.OPEN, EngramSystem.TITLE).nanos();
        lines.add(String.format("restore + open ≤ 3 s%s: %s: %s", scaled, seconds(restoreOpen), met(restoreOpen <= 3e9 * scale)));
        final Step verify = step(Step.Kind.VERIFY, EngramSystem.TITLE);
        lines.add(String.format("verify --read-data of 1 GiB ≤ 3 s%s: %s: %s", scaled, seconds(verify.nanos()),
            met(verify.nanos() <= 3e9 * scale)));
        return lines;
    }

    private static String met(final boolean met)
    {
        return met ? "[met]" : "[not met]";
    }

    String title()
    {
        return String.format("Backup engines, one state (%s: %,d keys x %,d B values), one run: time · bytes read · bytes " +
            "written (read/write calls, /proc/self/io)", bytes(options.stateBytes), options.keyCount(), options.valueLength);
    }

    String toConsole()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('\n').append(title()).append("\n\n").append(table().toConsole()).append('\n');
        facts.forEach(line -> sb.append(line).append('\n'));
        sb.append("\nRestored states and verifies:\n");
        checks().forEach(line -> sb.append("  ").append(line).append('\n'));
        sb.append("\nTargets (issue 16; reported, not enforced):\n");
        targets().forEach(line -> sb.append("  ").append(line).append('\n'));
        return sb.toString();
    }

    String toMarkdown(final String machine)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("## Backup engines side by side\n\n");
        sb.append("Command: `").append(options.commandLine).append("`\n\n").append(machine).append('\n');
        sb.append(title()).append(".\n\n").append(table().toMarkdown()).append('\n');
        facts.forEach(line -> sb.append("- ").append(line).append('\n'));
        sb.append("\nRestored states and verifies:\n\n");
        checks().forEach(line -> sb.append("- ").append(line).append('\n'));
        sb.append("\nTargets (issue 16; reported, not enforced):\n\n");
        targets().forEach(line -> sb.append("- ").append(line.replace("[", "**").replace("]", "**")).append('\n'));
        return sb.toString();
    }

    static String seconds(final long nanos)
    {
        return nanos < 0 ? "?" : nanos < 10_000_000_000L ? String.format("%.3f s", nanos / 1e9) : String.format("%.1f s", nanos / 1e9);
    }

    static String bytes(final long bytes)
    {
        if (bytes < 0)
        {
            return "?";
        }
        if (bytes >= GIB)
        {
            return String.format("%.2f GiB", bytes / (double)GIB);
        }
        if (bytes >= 1L << 20)
        {
            return String.format("%.1f MiB", bytes / (double)(1L << 20));
        }
        if (bytes >= 1L << 10)
        {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }
}
