package dev.engram.bench.recovery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
     */
    record Result(StateWorkload workload, Map<String, String> built, List<Map<String, String>> reps,
        Map<String, String> mx, Map<String, String> warm)
    {
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
     * @param diagnostics      also run the {@code mx} and {@code warm} recoveries.
     */
    static Result run(final StateWorkload workload, final long expectedChecksum, final Path dataDir, final Path logDir,
        final String label, final List<String> childJvm, final int reps, final boolean diagnostics)
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
            measured.add(recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-" + rep, childJvm, "cold"));
        }
        Map<String, String> mx = null;
        Map<String, String> warm = null;
        if (diagnostics)
        {
            mx = recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-mx", childJvm, "mx");
            warm = recover(workload, expectedChecksum, dataDir, logDir, "engram-recover-" + label + "-warm", childJvm, "warm");
        }
        return new Result(workload, built, List.copyOf(measured), mx, warm);
    }

    private static Map<String, String> recover(final StateWorkload workload, final long expectedChecksum, final Path dataDir,
        final Path logDir, final String name, final List<String> childJvm, final String mode) throws IOException, InterruptedException
    {
        final long expectedVersion = (long)workload.keyCount() + workload.tailCount();
        final Map<String, String> record = ChildProcess.runToRecord(name, logDir, EngramChild.class, childJvm,
            List.of("recover", dataDir.toString(), Integer.toString(workload.keyCount()), Long.toString(expectedChecksum),
                Long.toString(expectedVersion), mode, logDir.resolve("warm-up").toString()),
            "recovered");
        final boolean ok = Boolean.parseBoolean(record.get("ok")) &&
            Samples.get(record, "count") == workload.keyCount() &&
            Samples.get(record, "checksum") == expectedChecksum &&
            Samples.get(record, "recoveredVersion") == expectedVersion &&
            Samples.get(record, "checkpointVersion") == workload.keyCount() &&
            Samples.get(record, "framesReplayed") == workload.tailCount() &&
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
