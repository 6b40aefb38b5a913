package dev.engram.examples;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compiles one Java source held in a string with the JDK's compiler ({@link ToolProvider#getSystemJavaCompiler()})
 * against this JVM's class path (in a test: the module's test class path), warnings as errors.
 */
final class SnippetCompiler
{
    private SnippetCompiler()
    {
    }

    /**
     * @param className the top-level class's name (no package).
     * @param source    its source.
     * @param classes   where the class files go (created if missing).
     * @throws AssertionError with every diagnostic and the numbered source if it does not compile cleanly.
     */
    static void compile(final String className, final String source, final Path classes) throws IOException
    {
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null)
        {
            throw new AssertionError("no system Java compiler: the tests need a JDK, not a JRE");
        }
        Files.createDirectories(classes);
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        final List<String> options = List.of("--release", "17", "-proc:none", "-Xlint:all,-path", "-Werror",
            "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
        final boolean ok = compiler.getTask(null, null, diagnostics, options, null, List.of(new StringSource(className, source)))
            .call();
        if (!ok || !diagnostics.getDiagnostics().isEmpty())
        {
            final StringBuilder message = new StringBuilder(className).append(" does not compile cleanly:\n");
            for (final Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics())
            {
                message.append(diagnostic.getKind()).append(" line ").append(diagnostic.getLineNumber()).append(": ")
                    .append(diagnostic.getMessage(null)).append('\n');
            }
            final List<String> lines = source.lines().toList();
            for (int i = 0; i < lines.size(); i++)
            {
                message.append(String.format("%3d  %s%n", i + 1, lines.get(i)));
            }
            throw new AssertionError(message.toString());
        }
    }

    private static final class StringSource extends SimpleJavaFileObject
    {
        private final String source;

        StringSource(final String className, final String source)
        {
            super(URI.create("string:///" + className + Kind.SOURCE.extension), Kind.SOURCE);
            this.source = source;
        }

        @Override
        public CharSequence getCharContent(final boolean ignoreEncodingErrors)
        {
            return source;
        }
    }
}
