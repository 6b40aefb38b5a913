package dev.engram.harness.crash;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child JVM running a bench main class with the same JVM flags as this one: from the runnable
 * jar ({@code java -jar engram-bench.jar <command>}, flags from its manifest) or, in tests, from the class
 * path with the flags surefire passes in {@code engram.jvmFlags}.
 */
final class ChildProcess
{
    private ChildProcess()
    {
    }

    static Process start(final String jarCommand, final Class<?> mainClass, final List<String> args, final Path out, final Path err)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String codeSource = ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        if (codeSource.endsWith(".jar"))
        {
            command.add("-jar");
            command.add(new File(codeSource).getAbsolutePath());
            command.add(jarCommand);
        }
        else
        {
            final String flags = System.getProperty("engram.jvmFlags");
            if (flags != null && !flags.isBlank())
            {
                command.addAll(List.of(flags.trim().split("\\s+")));
            }
            else
            {
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle"))
                    .forEach(command::add);
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
        }
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        return process;
    }
}
