package dev.engram.harness.stress;

import dev.engram.harness.Main;
import dev.engram.testsupport.ChildJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of one scenario run, {@code Main stress-child SCENARIO DIR SECONDS SEED}, started by the one launcher
 * ({@link ChildJvm}): it runs in the run's directory with a 1 GiB heap, writes any fatal error log there
 * ({@code -XX:ErrorFile}, no core dump), and its stdout and stderr go to {@value #STDOUT} and {@value #STDERR} there.
 */
final class StressChildJvm
{
    static final String STDOUT = "child.out";
    static final String STDERR = "child.err";

    private StressChildJvm()
    {
    }

    static ChildJvm start(final String scenario, final Path runDir, final double seconds, final long seed) throws IOException
    {
        Files.createDirectories(runDir);
        final Path dir = runDir.toAbsolutePath();
        return ChildJvm.builder(Main.class).name(StressChild.COMMAND + "-" + scenario)
            .jvmArg("-XX:+UseParallelGC").jvmArg("-Xms256m").jvmArg("-Xmx1g").jvmArg("-XX:MaxDirectMemorySize=2g")
            .jvmArg("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log")).jvmArg("-XX:-CreateCoredumpOnCrash")
            .args(StressChild.COMMAND, scenario, dir, seconds, seed)
            .workingDirectory(dir)
            .stdout(dir.resolve(STDOUT)).stderr(dir.resolve(STDERR))
            .start();
    }
}
