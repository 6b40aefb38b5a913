package dev.engram.examples;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A child JVM's main that runs a class compiled at test time: {@code SnippetLauncher <classes dir> <class name>
 * [args...]} loads the class from the directory (this JVM's class path, the test class path, behind it) and
 * calls its {@code main}; an exception from it ends the JVM with a non-zero status.
 */
public final class SnippetLauncher
{
    private SnippetLauncher()
    {
    }

    public static void main(final String[] args) throws Throwable
    {
        final URL classes = Path.of(args[0]).toUri().toURL();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, SnippetLauncher.class.getClassLoader()))
        {
            final Method main = loader.loadClass(args[1]).getMethod("main", String[].class);
            final String[] rest = Arrays.copyOfRange(args, 2, args.length);
            try
            {
                main.invoke(null, (Object)rest);
            }
            catch (final InvocationTargetException ex)
            {
                throw ex.getCause();
            }
        }
    }
}
