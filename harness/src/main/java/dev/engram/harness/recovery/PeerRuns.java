package dev.engram.harness.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The peers of the recovery bench, driven from the parent: the naive zstd snapshot and RocksDB, each
 * loaded with the same final state as Engram and checked against the same checksum.
 */
public final class PeerRuns
{
    /**
     * @param saved what the writer reported ({@code @saved} or the RocksDB builder's {@code @tail-written}).
     * @param reps  one {@code @recovered} record per fresh JVM.
     */
    public record Result(Map<String, String> saved, List<Map<String, String>> reps)
    {
        public Samples openNs()
        {
            return Samples.of(reps, r -> Samples.get(r, "openNs"));
        }

        public Samples fromJvmStartMs()
        {
            return Samples.of(reps, r -> Samples.get(r, "readyWallMs") - Samples.get(r, "jvmStartMs"));
        }

        public Samples readNs()
        {
            return Samples.of(reps, r -> Samples.get(r, "readNs"));
        }

        public Samples of(final String key)
        {
            return Samples.of(reps, r -> Samples.get(r, key));
        }
    }

    private PeerRuns()
    {
    }

    /** Heap for JVMs that hold the whole state on the heap. */
    public static List<String> snapshotJvm(final StateWorkload workload, final List<String> childJvm)
    {
        final long stateBytes = (long)workload.keyCount() * workload.valueLength();
        final long heapMiB = Math.max(4096, (2 * stateBytes >> 20) + 1024);
        final List<String> jvm = new ArrayList<>();
        for (final String option : childJvm)
        {
            if (!option.startsWith("-Xmx"))
            {
                jvm.add(option);
            }
        }
        jvm.add("-Xmx" + heapMiB + "m");
        return jvm;
    }

    public static Result snapshot(final StateWorkload workload, final long expectedChecksum, final Path file, final Path logDir,
        final String label, final List<String> childJvm, final int reps) throws IOException, InterruptedException
    {
        final List<String> jvm = snapshotJvm(workload, childJvm);
        final List<String> saveArgs = new ArrayList<>(List.of("save", file.toString()));
        saveArgs.addAll(List.of(workload.toArgs()));
        final Map<String, String> saved = ChildProcess.runToRecord("snapshot-save-" + label, logDir, SnapshotChild.class, jvm,
            saveArgs, "saved");
        if (Samples.get(saved, "checksum") != expectedChecksum || Samples.get(saved, "keys") != workload.keyCount())
        {
            throw new IllegalStateException("snapshot writer disagrees with the workload: expected checksum=" + expectedChecksum +
                ", writer reported " + saved);
        }
        final List<Map<String, String>> measured = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++)
        {
            MeasureGate.beforeMeasuredRun("snapshot-load-" + label + "-" + rep, List.of(file));
            measured.add(checked(ChildProcess.runToRecord("snapshot-load-" + label + "-" + rep, logDir, SnapshotChild.class, jvm,
                List.of("load", file.toString(), Integer.toString(workload.keyCount()), Long.toString(expectedChecksum)),
                "recovered"), workload, expectedChecksum, "snapshot load"));
        }
        return new Result(saved, List.copyOf(measured));
    }

    static Result rocksdb(final StateWorkload workload, final long expectedChecksum, final Path dir, final Path logDir,
        final String label, final List<String> childJvm, final int reps) throws IOException, InterruptedException
    {
        final List<String> buildArgs = new ArrayList<>(List.of("build", dir.toString()));
        buildArgs.addAll(List.of(workload.toArgs()));
        final Map<String, String> built = ChildProcess.buildThenKill("rocksdb-build-" + label, logDir, RocksChild.class, childJvm,
            buildArgs);
        if (Samples.get(built, "checksum") != expectedChecksum)
        {
            throw new IllegalStateException("RocksDB builder disagrees with the workload: expected checksum=" + expectedChecksum +
                ", builder reported " + built);
        }
        final List<Map<String, String>> measured = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++)
        {
            // RocksDB.open replays the WAL and flushes it, changing the directory: every repetition opens a
            // fresh copy of the crashed directory (SST files hard-linked, they are immutable; the rest copied)
            final Path copy = dir.resolveSibling(dir.getFileName() + "-rep" + rep);
            copyCrashed(dir, copy);
            try
            {
                MeasureGate.beforeMeasuredRun("rocksdb-open-" + label + "-" + rep, List.of(copy));
                measured.add(checked(ChildProcess.runToRecord("rocksdb-open-" + label + "-" + rep, logDir, RocksChild.class, childJvm,
                    List.of("open", copy.toString(), Integer.toString(workload.keyCount()), Long.toString(expectedChecksum)),
                    "recovered"), workload, expectedChecksum, "RocksDB open"));
            }
            finally
            {
                EngramChild.deleteTree(copy);
            }
        }
        return new Result(built, List.copyOf(measured));
    }

    public static void copyCrashed(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.toList())
            {
                if (!Files.isRegularFile(file))
                {
                    throw new IllegalStateException("unexpected entry in a RocksDB directory: " + file);
                }
                final Path target = to.resolve(file.getFileName());
                if (file.getFileName().toString().endsWith(".sst"))
                {
                    Files.createLink(target, file);
                }
                else
                {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static Map<String, String> checked(final Map<String, String> record, final StateWorkload workload,
        final long expectedChecksum, final String what)
    {
        if (!Boolean.parseBoolean(record.get("ok")) || Samples.get(record, "count") != workload.keyCount() ||
            Samples.get(record, "checksum") != expectedChecksum)
        {
            throw new IllegalStateException(what + " failed its self-check (expected " + workload.keyCount() + " keys, checksum=" +
                expectedChecksum + "): " + record);
        }
        return record;
    }
}
