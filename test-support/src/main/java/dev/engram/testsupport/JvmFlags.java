package dev.engram.testsupport;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The JVM flags a child JVM needs to run Engram (Chronicle's and Agrona's {@code --add-opens}/{@code --add-exports},
 * the quiet {@code -D} properties), found where this JVM got them:
 * <ol>
 *   <li>the {@value #PROPERTY} system property, which surefire passes to every test JVM: the parent pom's
 *       {@code engram.jvmFlags}, the one place they are kept;</li>
 *   <li>else this JVM's own command-line flags of those kinds (an IDE, a launcher script);</li>
 *   <li>plus, when this JVM was started with {@code java -jar} (its class path is that one jar), the
 *       {@code Add-Opens}/{@code Add-Exports} of the jar's manifest, which the parent pom fills from the same
 *       lists: a child started with {@code -cp} of that jar does not get them otherwise.</li>
 * </ol>
 */
public final class JvmFlags
{
    /** The system property holding the JVM flags the build keeps in one place. */
    public static final String PROPERTY = "engram.jvmFlags";

    private JvmFlags()
    {
    }

    /**
     * @return the flags for a child JVM of this one, one per element (may be empty, never null).
     */
    public static List<String> forChild()
    {
        final String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank())
        {
            return List.copyOf(Arrays.asList(property.trim().split("\\s+")));
        }
        final List<String> flags = fromCommandLine(ManagementFactory.getRuntimeMXBean().getInputArguments());
        final String classPath = System.getProperty("java.class.path", "");
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator))
        {
            addManifestFlags(classPath, flags);
        }
        return List.copyOf(flags);
    }

    /**
     * @return the build's flags from {@value #PROPERTY}.
     * @throws IllegalStateException if the property is missing: the caller was not started by the build.
     */
    public static List<String> fromBuild()
    {
        final String flags = System.getProperty(PROPERTY);
        if (flags == null || flags.isBlank())
        {
            throw new IllegalStateException("system property " + PROPERTY + " is not set: run the test through Maven " +
                "(surefire passes it), or pass -D" + PROPERTY + "=\"<flags from the parent pom>\"");
        }
        return List.copyOf(Arrays.asList(flags.trim().split("\\s+")));
    }

    /**
     * @param inputArguments a JVM's command-line arguments.
     * @return those a child needs too: module opens/exports (joined to their value where given as two
     *         arguments), native access, and the {@code -Dchronicle.*}/{@code -Ddisable.*} properties.
     */
    static List<String> fromCommandLine(final List<String> inputArguments)
    {
        final List<String> flags = new ArrayList<>();
        for (int i = 0; i < inputArguments.size(); i++)
        {
            final String arg = inputArguments.get(i);
            if ((arg.equals("--add-opens") || arg.equals("--add-exports")) && i + 1 < inputArguments.size())
            {
                flags.add(arg + "=" + inputArguments.get(++i));
            }
            else if (arg.startsWith("--add-opens=") || arg.startsWith("--add-exports=") ||
                arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access") ||
                arg.startsWith("-Dchronicle.") || arg.startsWith("-Ddisable."))
            {
                flags.add(arg);
            }
        }
        return flags;
    }

    private static void addManifestFlags(final String jarPath, final List<String> flags)
    {
        try (JarFile jar = new JarFile(jarPath))
        {
            final Manifest manifest = jar.getManifest();
            if (manifest != null)
            {
                addManifestFlags(manifest.getMainAttributes(), "Add-Opens", "--add-opens=", flags);
                addManifestFlags(manifest.getMainAttributes(), "Add-Exports", "--add-exports=", flags);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the manifest of " + jarPath + ": " + ex.getMessage(), ex);
        }
    }

    private static void addManifestFlags(final Attributes attributes, final String name, final String flag,
        final List<String> flags)
    {
        final String value = attributes.getValue(name);
        if (value == null)
        {
            return;
        }
        for (final String entry : value.trim().split("\\s+"))
        {
            final String candidate = flag + entry + "=ALL-UNNAMED";
            if (!entry.isEmpty() && !flags.contains(candidate))
            {
                flags.add(candidate);
            }
        }
    }
}
