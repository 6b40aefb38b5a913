package dev.engram.recovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a list of fault cases against one fixture and reports: a line per case, the counts per outcome, a table of
 * (file kind × damage) with the outcomes seen, and a failure listing every case whose outcome fails the build
 * (each with the system properties that replay it).
 */
final class FaultSuite
{
    static final String SEED_PROPERTY = "engram.faults.seed";
    static final String CASE_PROPERTY = "engram.faults.case";
    static final String CASES_PROPERTY = "engram.faults.cases";

    private FaultSuite()
    {
    }

    /**
     * @return {@code -Dengram.faults.seed=S}, a seed from the clock for {@code -Dengram.faults.seed=random} or when
     *         the property is absent.
     */
    static long seed()
    {
        return seed(System.nanoTime());
    }

    /**
     * @param absent the seed when the property is not set.
     * @return {@code -Dengram.faults.seed=S}, a seed from the clock for {@code random}, else {@code absent}.
     */
    static long seed(final long absent)
    {
        final String value = System.getProperty(SEED_PROPERTY);
        if (value == null || value.isBlank())
        {
            return absent;
        }
        return value.equals("random") ? System.nanoTime() : Long.parseLong(value);
    }

    /**
     * @return the case ids named by {@code -Dengram.faults.case=ID[,ID...]}, or {@code 0 .. count-1}.
     */
    static List<Integer> ids(final int count)
    {
        final String only = System.getProperty(CASE_PROPERTY);
        final List<Integer> ids = new ArrayList<>();
        if (only != null && !only.isBlank())
        {
            for (final String id : only.split(","))
            {
                ids.add(Integer.parseInt(id.trim()));
            }
            return ids;
        }
        for (int i = 0; i < count; i++)
        {
            ids.add(i);
        }
        return ids;
    }

    static void runAndAssert(final String name, final long seed, final List<Integer> ids, final Path work)
    {
        final long start = System.nanoTime();
        System.out.println(name + ": seed=" + seed + " (-D" + SEED_PROPERTY + "=" + seed + "), " + ids.size() + " cases");
        final FaultFixture fixture = FaultFixture.build(work.resolve("fixture"));
        System.out.printf("%s: fixture built in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        final FaultInjector injector = new FaultInjector(fixture, work.resolve("cases"));
        final List<FaultInjector.Result> results = new ArrayList<>();
        for (final int id : ids)
        {
            final FaultCase fault = FaultCase.of(seed, id);
            final long caseStart = System.nanoTime();
            final FaultInjector.Result result = FaultKnownIssue.reclassify(injector.run(fault));
            results.add(result);
            System.out.printf("%s [%.0f ms] %s: %s%n", result.outcome(), (System.nanoTime() - caseStart) / 1e6,
                fault.describe(), result.damage());
            if (result.outcome().fails || result.outcome() == FaultOutcome.KNOWN_ISSUE || Boolean.getBoolean("engram.faults.verbose"))
            {
                System.out.println(result.describe());
            }
        }
        final String tables = tables(results);
        System.out.println(tables);
        System.out.printf("%s: seed=%d, %d cases in %.1f s%n", name, seed, results.size(), (System.nanoTime() - start) / 1e9);
        writeReport(name, seed, results, tables);
        final List<FaultInjector.Result> failed = results.stream().filter(r -> r.outcome().fails).toList();
        if (!failed.isEmpty())
        {
            fail(failed.size() + " of " + results.size() + " fault cases failed (seed=" + seed + "):\n" +
                failed.stream().map(FaultInjector.Result::describe).collect(Collectors.joining("\n\n")));
        }
    }

    static String tables(final List<FaultInjector.Result> results)
    {
        final Map<FaultOutcome, Integer> counts = new EnumMap<>(FaultOutcome.class);
        for (final FaultOutcome o : FaultOutcome.values())
        {
            counts.put(o, 0);
        }
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        final StringBuilder sb = new StringBuilder();
        sb.append("| outcome | cases |\n|---|---:|\n");
        counts.forEach((o, n) -> sb.append("| ").append(o).append(o.fails ? " (fails the build)" : "").append(" | ")
            .append(n).append(" |\n"));
        sb.append("| total | ").append(results.size()).append(" |\n\n");
        sb.append("Clear refusals that left journal/metadata.cq4t changed by Chronicle (known issue): ")
            .append(results.stream().filter(r -> r.detail().contains(FaultInjector.METADATA_TOUCHED)).count()).append("\n\n");
        sb.append("Per file kind and damage: OK / REPORTED_FALLBACK / CLEAR_REFUSAL (n/a: the damage does not apply; ")
            .append("a failing outcome is named)\n\n| file kind |");
        for (final FaultDamage d : FaultDamage.values())
        {
            sb.append(' ').append(d).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(FaultDamage.values().length)).append('\n');
        for (final FaultFileKind k : FaultFileKind.values())
        {
            sb.append("| ").append(k).append(" |");
            for (final FaultDamage d : FaultDamage.values())
            {
                final Map<FaultOutcome, Integer> cell = new EnumMap<>(FaultOutcome.class);
                results.stream().filter(r -> r.fault().kind() == k && r.fault().damage() == d)
                    .forEach(r -> cell.merge(r.outcome(), 1, Integer::sum));
                sb.append(' ').append(cell(cell)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(final Map<FaultOutcome, Integer> cell)
    {
        if (cell.isEmpty())
        {
            return "";
        }
        final int applicable = cell.entrySet().stream().filter(e -> e.getKey() != FaultOutcome.NOT_APPLICABLE)
            .mapToInt(Map.Entry::getValue).sum();
        if (applicable == 0)
        {
            return "n/a";
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(cell.getOrDefault(FaultOutcome.OK, 0)).append(" / ").append(cell.getOrDefault(FaultOutcome.REPORTED_FALLBACK, 0))
            .append(" / ").append(cell.getOrDefault(FaultOutcome.CLEAR_REFUSAL, 0));
        for (final FaultOutcome o : FaultOutcome.values())
        {
            if ((o.fails || o == FaultOutcome.KNOWN_ISSUE) && cell.containsKey(o))
            {
                sb.append(", **").append(cell.get(o)).append(' ').append(o).append("**");
            }
        }
        return sb.toString();
    }

    private static void writeReport(final String name, final long seed, final List<FaultInjector.Result> results,
        final String tables)
    {
        final Path file = Path.of("target", name + "-report.md");
        final StringBuilder sb = new StringBuilder("# " + name + ", seed " + seed + "\n\n" + tables + "\n");
        for (final FaultInjector.Result r : results)
        {
            sb.append(r.outcome()).append(": ").append(r.fault().describe()).append(": ").append(r.damage()).append('\n');
        }
        try
        {
            Files.createDirectories(file.getParent());
            Files.writeString(file, sb.toString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
