package dev.engram.harness.stress;

import dev.engram.harness.Main;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts the child JVM of one scenario run, {@code stress-child SCENARIO DIR SECONDS SEED}, as the crash soak
 * and the demo start theirs: from the runnable jar ({@code java <flags> -jar engram-bench.jar stress-child ...},
 * the Add-Opens/Add-Exports from its manifest) or, in tests and IDEs, from the class path with the flags
 * surefire passes in {@code engram.jvmFlags} (else this JVM's own). The child runs in the run's directory,
 * writes any fatal error log there ({@code -XX:ErrorFile}, no core dump), and its stdout and stderr go to
 * {@code child.out} and {@code child.err} there.
 */
final class StressChildJvm
{
    static final String COMMAND = "stress-child";
    static final String STDOUT = "child.out";
    static final String STDERR = "child.err";

    private StressChildJvm()
    {
    }

    static Process start(final String scenario, final Path runDir, final double seconds, final long seed) throws IOException
    {
        Files.createDirectories(runDir);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseParallelGC");
        command.add("-Xms256m");
        command.add("-Xmx1g");
        command.add("-XX:MaxDirectMemorySize=2g");
        command.add("-XX:ErrorFile=" + runDir.toAbsolutePath().resolve("hs_err_pid%p.log"));
        command.add("-XX:-CreateCoredumpOnCrash");
        final Path codeSource = codeSource();
        if (Files.isRegularFile(codeSource) && codeSource.toString().endsWith(".jar"))
        {
            command.add("-jar");
            command.add(codeSource.toString());
        }
        else
        {
            command.addAll(moduleFlags());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
        }
        command.add(COMMAND);
        command.add(scenario);
        command.add(runDir.toAbsolutePath().toString());
        command.add(Double.toString(seconds));
        command.add(Long.toString(seed));
        final Process process = new ProcessBuilder(command).directory(runDir.toFile())
            .redirectOutput(runDir.resolve(STDOUT).toFile()).redirectError(runDir.resolve(STDERR).toFile()).start();
        process.getOutputStream().close();
        return process;
    }

    private static Path codeSource()
    {
        try
        {
            return Path.of(StressChildJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot locate the code of " + StressChildJvm.class.getName(), ex);
        }
    }

    /** @return the --add-opens/--add-exports (and similar) flags a child started from classes needs. */
    private static List<String> moduleFlags()
    {
        final String buildFlags = System.getProperty("engram.jvmFlags");
        if (buildFlags != null && !buildFlags.isBlank())
        {
            return Arrays.asList(buildFlags.trim().split("\\s+"));
        }
        final List<String> flags = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--enable-native-access") ||
                arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Ddisable."))
            {
                flags.add(arg);
            }
        }
        return flags;
    }
}
