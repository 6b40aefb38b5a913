package dev.engram.harness.recovery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Engram part of the recovery bench, driven from the parent: build in a child JVM, kill it with
 * SIGKILL after the tail is written, then recover in fresh JVMs and check every result.
 */
final class EngramRun
{
    /**
     * @param built   the builder's {@code @tail-written} record.
     * @param reps    one {@code @recovered} record per cold fresh-JVM recovery (the measured runs).
     * @param mx      a recovery that counted class loading, JIT and GC during open (null if not run).
     * @param warm    a recovery after a warm-up on a small store (null if not run).
     * @param profile the top methods of a sampled cold open() ({@code @profile} records; empty if not run).
     * @param variants cold recoveries with other JVM settings, by variant name (empty if not run).
     * @param writable cold recoveries that commit once right after open() returns and time until it is written
     *                 (issue 14: writable at once), run last: each adds a version.
     */
    record Result(StateWorkload workload, Map<String, String> built, List<Map<String, String>> reps,
        Map<String, String> mx, Map<String, String> warm, List<Map<String, String>> profile,
        Map<String, List<Map<String, String>>> variants, List<Map<String, String>> writable)
    {
        Samples firstCommitWrittenMs()
        {
            return Samples.of(writable, r -> Math.round(Double.parseDouble(r.get("firstCommitWrittenMs"))));
        }

        Samples firstCommitVisibleMs()
        {
            return Samples.of(writable, r -> Math.round(Double.parseDouble(r.get("firstCommitVisibleMs"))));
        }

        Samples openNs()
        {
            return Samples.of(reps, r -> Samples.get(r, "openNs"));
        }

        Samples fromJvmStartMs()
        {
            return Samples.of(reps, r -> Samples.get(r, "readyWallMs") - Samples.get(r, "jvmStartMs"));
        }

        Samples fromSpawnMs()
        {
            return Samples.of(reps, r -> Samples.get(r, "readyWallMs") - Samples.get(r, "spawnWallMs"));
        }

        Samples readNs()
        {
            return Samples.of(reps, r -> Samples.get(r, "readNs"));
        }

        Samples of(final String key)
        {
            return Samples.of(reps, r -> Samples.get(r, key));
        }
    }

    private EngramRun()
    {
    }

    /**
     * @param expectedChecksum the state checksum computed independently of any store (checked against the builder's).
     * @param diagnostics      also run the {@code mx}, {@code warm} and {@code profile} recoveries.
     * @param variants         also run cold recoveries with other JVM settings ({@link #VARIANTS}), {@code reps} each.
     */
    static Result run(final StateWorkload workload, final long expectedChecksum, final Path dataDir, final Path logDir,
        final String label, final List<String> childJvm, final int reps, final boolean diagnostics, final boolean variants)
        throws IOException, InterruptedException
    {
        final List<String> buildArgs = new ArrayList<>(List.of("build", dataDir.toString()));
        buildArgs.addAll(List.of(workload.toArgs()));
        final Map<String, String> built = ChildProcess.buildThenKill("engram-build-" + label, logDir, EngramChild.class,
            childJvm, buildArgs);
        final long expectedVersion = (long)workload.keyCount() + workload.tailCount();
        if (Samples.get(built, "checksum") != expectedChecksum || Samples.get(built, "version") != expectedVersion)
        {
            throw new IllegalStateException("Engram builder disagrees with the workload: expected checksum=" + expectedChecksum +
                " version=" + expectedVersion + ", builder reported " + built);
        }
        final List<Map<String, String>> measured = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++)
        {
            measured.add(recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-" + rep, childJvm, "cold",
                null));
        }
        Map<String, String> mx = null;
        Map<String, String> warm = null;
        final List<Map<String, String>> profile = new ArrayList<>();
        if (diagnostics)
        {
            mx = recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-mx", childJvm, "mx", null);
            warm = recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-warm", childJvm, "warm", null);
            recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-profile", childJvm, "profile", profile);
        }
        final Map<String, List<Map<String, String>>> variantResults = new LinkedHashMap<>();
        if (variants)
        {
            final Path archive = logDir.resolve("engram-" + label + ".jsa");
            final List<String> training = new ArrayList<>(childJvm);
            training.add("-XX:ArchiveClassesAtExit=" + archive);
            recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-cds-training", training, "cold", null);
            for (final Map.Entry<String, List<String>> variant : VARIANTS.entrySet())
            {
                final List<String> jvm = new ArrayList<>(childJvm);
                variant.getValue().forEach(option -> jvm.add(option.replace(ARCHIVE, archive.toString())));
                final List<Map<String, String>> results = new ArrayList<>();
                for (int rep = 1; rep <= reps; rep++)
                {
                    results.add(recover(workload, expectedChecksum, dataDir, logDir,
                        "engram-recover-" + label + "-" + variant.getKey().replaceAll("[^a-zA-Z0-9]+", "_") + "-" + rep, jvm, "cold", null));
                }
                variantResults.put(variant.getKey(), List.copyOf(results));
            }
        }
        // last: each of these commits once after open, so the store is no longer the one the runs above measured
        final List<Map<String, String>> writable = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++)
        {
            writable.add(recover(workload, expectedChecksum, dataDir, logDir, "engram-writable-" + label + "-" + rep, childJvm,
                "writable", null));
        }
        return new Result(workload, built, List.copyOf(measured), mx, warm, List.copyOf(profile), variantResults,
            List.copyOf(writable));
    }

    private static final String ARCHIVE = "<archive>";

    /**
     * Cold-start experiments: the same cold recovery with one JVM setting changed (AppCDS needs an archive,
     * dumped by a training recovery of the same directory).
     */
    static final Map<String, List<String>> VARIANTS = variants();

    private static Map<String, List<String>> variants()
    {
        final Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("C1 only (-XX:TieredStopAtLevel=1)", List.of("-XX:TieredStopAtLevel=1"));
        variants.put("AppCDS archive of a training recovery", List.of("-XX:SharedArchiveFile=" + ARCHIVE));
        variants.put("Chronicle PosixAPI no-op (no JNR code generation)", List.of("-D" + EngramChild.NO_OP_POSIX_PROP_NAME + "=true"));
        variants.put("AppCDS + PosixAPI no-op", List.of("-XX:SharedArchiveFile=" + ARCHIVE,
            "-D" + EngramChild.NO_OP_POSIX_PROP_NAME + "=true"));
        return Collections.unmodifiableMap(variants);
    }

    private static Map<String, String> recover(final StateWorkload workload, final long expectedChecksum, final Path dataDir,
        final Path logDir, final String name, final List<String> childJvm, final String mode,
        final List<Map<String, String>> profile) throws IOException, InterruptedException
    {
        final long expectedVersion = (long)workload.keyCount() + workload.tailCount();
        final List<String> args = List.of("recover", dataDir.toString(), Integer.toString(workload.keyCount()),
            Long.toString(expectedChecksum), Long.toString(expectedVersion), mode, logDir.resolve("warm-up").toString());
        MeasureGate.beforeMeasuredRun(name, List.of(dataDir));
        final Map<String, String> record;
        if (profile != null)
        {
            final List<Map<String, String>> records = ChildProcess.runToRecords(name, logDir, EngramChild.class, childJvm, args,
                "recovered");
            records.stream().filter(r -> r.get("@").equals("profile")).forEach(profile::add);
            record = records.get(records.size() - 1);
        }
        else
        {
            record = ChildProcess.runToRecord(name, logDir, EngramChild.class, childJvm, args, "recovered");
        }
        final boolean writable = mode.equals("writable");   // each adds one version: the ones after it replay more
        final boolean ok = Boolean.parseBoolean(record.get("ok")) &&
            Samples.get(record, "count") == workload.keyCount() &&
            Samples.get(record, "checksum") == expectedChecksum &&
            (writable ? Samples.get(record, "recoveredVersion") >= expectedVersion :
                Samples.get(record, "recoveredVersion") == expectedVersion) &&
            Samples.get(record, "checkpointVersion") == workload.keyCount() &&
            (writable ? Samples.get(record, "framesReplayed") >= workload.tailCount() :
                Samples.get(record, "framesReplayed") == workload.tailCount()) &&
            !Boolean.parseBoolean(record.get("clean"));
        if (!ok)
        {
            throw new IllegalStateException("Engram recovery " + name + " failed its self-check (expected " + workload.keyCount() +
                " keys, checksum=" + expectedChecksum + ", version=" + expectedVersion + ", checkpoint at " + workload.keyCount() +
                ", " + workload.tailCount() + " frames replayed, unclean shutdown): " + record);
        }
        return record;
    }
}
