package dev.engram.harness.demo;

import dev.engram.harness.demo.CompressionSampler.KindRatio;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a recoverer child found, written as a properties file for the parent.
 *
 * @param recoveredVersion  r: deltas 1..r are in the recovered state.
 * @param framesReplayed    journal frames replayed after the checkpoint.
 * @param checkpointVersion version of the checkpoint recovery started from (0: none).
 * @param rejected          checkpoints recovery tried and rejected.
 * @param cleanShutdown     whether the previous owner closed cleanly (false after a kill -9).
 * @param engineReadyNs     the engine's own open-to-ready time ({@code RecoveryReport.readyNs}).
 * @param openNs            {@code Engram.open(...)} measured around the call.
 * @param jvmStartEpochMs   the child JVM's start time (RuntimeMXBean), epoch ms.
 * @param readyEpochUs      wall clock when open returned, epoch µs (the parent subtracts its spawn time).
 * @param recoveryDescribe  {@code RecoveryReport.describe()}.
 * @param verified          the state equals the reference model at r, every key, byte for byte.
 * @param verification      the verifier's one-line result.
 * @param keys              live keys.
 * @param stateBytes        their value bytes.
 * @param checkpointFiles   checkpoint files on disk; {@code checkpointFileBytes} their bytes.
 * @param journalBytes      journal files on disk.
 * @param modelMs           time to compute the reference model at r.
 * @param verifyMs          time to compare.
 * @param compression       per component kind.
 */
public record RecoveryResult(
    long recoveredVersion,
    long framesReplayed,
    long checkpointVersion,
    int rejected,
    boolean cleanShutdown,
    long engineReadyNs,
    long openNs,
    long jvmStartEpochMs,
    long readyEpochUs,
    String recoveryDescribe,
    boolean verified,
    String verification,
    long keys,
    long stateBytes,
    int checkpointFiles,
    long checkpointFileBytes,
    long journalBytes,
    long modelMs,
    long verifyMs,
    List<KindRatio> compression)
{
    void write(final Path file) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("recoveredVersion", Long.toString(recoveredVersion));
        p.setProperty("framesReplayed", Long.toString(framesReplayed));
        p.setProperty("checkpointVersion", Long.toString(checkpointVersion));
        p.setProperty("rejected", Integer.toString(rejected));
        p.setProperty("cleanShutdown", Boolean.toString(cleanShutdown));
        p.setProperty("engineReadyNs", Long.toString(engineReadyNs));
        p.setProperty("openNs", Long.toString(openNs));
        p.setProperty("jvmStartEpochMs", Long.toString(jvmStartEpochMs));
        p.setProperty("readyEpochUs", Long.toString(readyEpochUs));
        p.setProperty("recoveryDescribe", recoveryDescribe);
        p.setProperty("verified", Boolean.toString(verified));
        p.setProperty("verification", verification);
        p.setProperty("keys", Long.toString(keys));
        p.setProperty("stateBytes", Long.toString(stateBytes));
        p.setProperty("checkpointFiles", Integer.toString(checkpointFiles));
        p.setProperty("checkpointFileBytes", Long.toString(checkpointFileBytes));
        p.setProperty("journalBytes", Long.toString(journalBytes));
        p.setProperty("modelMs", Long.toString(modelMs));
        p.setProperty("verifyMs", Long.toString(verifyMs));
        p.setProperty("compression.count", Integer.toString(compression.size()));
        for (int i = 0; i < compression.size(); i++)
        {
            p.setProperty("compression." + i, compression.get(i).encode());
        }
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
        {
            p.store(out, "engram demo recovery result");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static RecoveryResult read(final Path file) throws IOException
    {
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(in);
        }
        final List<KindRatio> compression = new ArrayList<>();
        final int kinds = Integer.parseInt(p.getProperty("compression.count", "0"));
        for (int i = 0; i < kinds; i++)
        {
            compression.add(KindRatio.decode(p.getProperty("compression." + i)));
        }
        return new RecoveryResult(l(p, "recoveredVersion"), l(p, "framesReplayed"), l(p, "checkpointVersion"),
            (int)l(p, "rejected"), Boolean.parseBoolean(p.getProperty("cleanShutdown")), l(p, "engineReadyNs"),
            l(p, "openNs"), l(p, "jvmStartEpochMs"), l(p, "readyEpochUs"), p.getProperty("recoveryDescribe", ""),
            Boolean.parseBoolean(p.getProperty("verified")), p.getProperty("verification", ""), l(p, "keys"),
            l(p, "stateBytes"), (int)l(p, "checkpointFiles"), l(p, "checkpointFileBytes"), l(p, "journalBytes"),
            l(p, "modelMs"), l(p, "verifyMs"), List.copyOf(compression));
    }

    private static long l(final Properties p, final String name)
    {
        final String value = p.getProperty(name);
        if (value == null)
        {
            throw new IllegalStateException("recovery result has no " + name);
        }
        return Long.parseLong(value);
    }
}
