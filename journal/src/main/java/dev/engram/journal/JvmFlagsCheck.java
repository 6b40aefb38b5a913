package dev.engram.journal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Checks, before an open touches the state directory, that the JVM runs with the {@code --add-opens} and
 * {@code --add-exports} flags Engram is built and tested with, and throws one {@link EngramJvmFlagsException}
 * listing the missing ones otherwise (without it the first symptom is an {@code AssertionError} or an
 * {@code InaccessibleObjectException} from deep inside Chronicle, after files were created).
 * <p>
 * The set is the parent pom's {@code engram.addOpens} / {@code engram.addExports}, copied into
 * {@code jvm-flags.properties} by the build, so it is kept in one place. What each is for (found by starting
 * without it; docs/embedding.md):
 * <ul>
 *   <li>{@code --add-opens java.base/java.lang}: Chronicle Map defines the classes it generates (snapshot index);</li>
 *   <li>{@code --add-opens java.base/java.lang.reflect}: Chronicle Core's memory mapping ({@code FileChannelImpl.map0});</li>
 *   <li>{@code --add-opens java.base/java.util.zip}: CRC32C over off-heap memory (every journal frame, every checkpoint block);</li>
 *   <li>{@code --add-exports java.base/jdk.internal.misc}: Agrona's {@code Unsafe};</li>
 *   <li>{@code --add-exports jdk.compiler/com.sun.tools.javac.file}: Chronicle Map compiles classes at run time (a JDK,
 *       not a JRE without {@code jdk.compiler});</li>
 *   <li>{@code --add-opens java.base/sun.nio.ch}: read-only mappings above 2 GiB without Chronicle's static
 *       initialisation (without it they go through Chronicle's {@code OS.map});
 *       {@code --add-opens java.base/java.nio}, {@code --add-exports java.base/sun.nio.ch} and
 *       {@code --add-exports java.base/jdk.internal.ref}: Chronicle's buffer access and cleaner (without the last
 *       one Chronicle warns and falls back). A small open, write, checkpoint and reopen runs without these four, but
 *       only the whole set is tested, so the check asks for all of them.</li>
 * </ul>
 * The {@code -D} properties of the build ({@code chronicle.analytics.disable}, {@code chronicle.announcer.disable},
 * {@code disable.ctl.orphan.tracking}) are not checked: {@link EngramSystemProperties#apply()} sets them before any
 * Chronicle class loads (they are only needed on the command line when the application loads Chronicle classes
 * itself before the first open).
 */
public final class JvmFlagsCheck
{
    private static final String RESOURCE = "jvm-flags.properties";

    private static volatile boolean passed;

    private JvmFlagsCheck()
    {
    }

    /**
     * Check the flags (once per JVM when they are all there; cheap).
     *
     * @throws EngramJvmFlagsException listing every missing flag.
     */
    public static void verify()
    {
        if (passed)
        {
            return;
        }
        final List<String> missing = missingFlags();
        if (!missing.isEmpty())
        {
            throw new EngramJvmFlagsException(message(missing), missing);
        }
        passed = true;
    }

    /**
     * @return the flags this JVM lacks, in command-line form (empty when it has them all).
     */
    public static List<String> missingFlags()
    {
        final Required required = Required.load();
        final Module self = JvmFlagsCheck.class.getModule();
        final List<String> missing = new ArrayList<>();
        for (final String pair : required.opens)
        {
            final Optional<Module> module = module(pair);
            if (module.isEmpty() || !module.get().isOpen(packageName(pair), self))
            {
                missing.add(flag("--add-opens", pair));
            }
        }
        for (final String pair : required.exports)
        {
            final Optional<Module> module = module(pair);
            if (module.isEmpty() || !module.get().isExported(packageName(pair), self))
            {
                missing.add(flag("--add-exports", pair));
            }
        }
        return missing;
    }

    /**
     * @return every flag Engram needs, in command-line form, in the order of the parent pom.
     */
    public static List<String> allFlags()
    {
        final Required required = Required.load();
        final List<String> all = new ArrayList<>();
        required.opens.forEach(pair -> all.add(flag("--add-opens", pair)));
        required.exports.forEach(pair -> all.add(flag("--add-exports", pair)));
        return all;
    }

    private static String message(final List<String> missing)
    {
        final Required required = Required.load();
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("Engram needs JVM flags this JVM was started without (Chronicle Queue, Chronicle Map and Agrona use JDK ")
            .append("internals that Java 17+ keeps closed); nothing was opened or written. Missing (")
            .append(missing.size()).append("):\n");
        for (final String flag : missing)
        {
            sb.append("    ").append(flag).append('\n');
        }
        final List<String> absentModules = new ArrayList<>();
        for (final String pair : required.all())
        {
            final String moduleName = pair.substring(0, pair.indexOf('/'));
            if (ModuleLayer.boot().findModule(moduleName).isEmpty() && !absentModules.contains(moduleName))
            {
                absentModules.add(moduleName);
            }
        }
        if (!absentModules.isEmpty())
        {
            sb.append("This Java runtime has no module ").append(String.join(", ", absentModules))
                .append(" (a JRE or a jlink image without it): Chronicle Map compiles classes at run time and needs a full ")
                .append("JDK, or an image that includes it.\n");
        }
        sb.append("Start the JVM with all of Engram's flags (java command line, surefire/failsafe argLine, exec, Gradle ")
            .append("jvmArgs, or JAVA_TOOL_OPTIONS):\n    ").append(String.join(" ", allFlags())).append('\n');
        sb.append("or, for java -jar, in the jar's manifest:\n    Add-Opens: ").append(String.join(" ", required.opens))
            .append("\n    Add-Exports: ").append(String.join(" ", required.exports)).append('\n');
        sb.append("See docs/embedding.md (Maven, Gradle, java -jar).");
        return sb.toString();
    }

    private static String flag(final String option, final String pair)
    {
        return option + "=" + pair + "=" + target();
    }

    /** ALL-UNNAMED on the class path; the module's name if Engram runs as a named module. */
    private static String target()
    {
        final Module self = JvmFlagsCheck.class.getModule();
        return self.isNamed() ? self.getName() : "ALL-UNNAMED";
    }

    private static Optional<Module> module(final String pair)
    {
        return ModuleLayer.boot().findModule(pair.substring(0, pair.indexOf('/')));
    }

    private static String packageName(final String pair)
    {
        return pair.substring(pair.indexOf('/') + 1);
    }

    /** The module/package pairs from the build. */
    private static final class Required
    {
        private static volatile Required loaded;

        final List<String> opens;
        final List<String> exports;

        private Required(final List<String> opens, final List<String> exports)
        {
            this.opens = opens;
            this.exports = exports;
        }

        List<String> all()
        {
            final List<String> all = new ArrayList<>(opens);
            all.addAll(exports);
            return all;
        }

        static Required load()
        {
            Required r = loaded;
            if (r == null)
            {
                final Properties props = new Properties();
                try (InputStream in = JvmFlagsCheck.class.getResourceAsStream(RESOURCE))
                {
                    if (in == null)
                    {
                        throw new IllegalStateException("resource " + RESOURCE + " is missing next to " +
                            JvmFlagsCheck.class.getName() + ": the engram-journal jar is incomplete");
                    }
                    props.load(in);
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException("cannot read resource " + RESOURCE + ": " + ex, ex);
                }
                r = new Required(pairs(props, "addOpens"), pairs(props, "addExports"));
                loaded = r;
            }
            return r;
        }

        private static List<String> pairs(final Properties props, final String name)
        {
            final String value = props.getProperty(name, "").trim();
            if (value.isEmpty() || value.contains("${"))
            {
                throw new IllegalStateException("resource " + RESOURCE + " has no " + name + " filled in by the build " +
                    "(value '" + value + "'): build engram-journal with Maven (its resources are filtered)");
            }
            final List<String> pairs = new ArrayList<>();
            for (final String pair : value.split("\\s+"))
            {
                if (pair.indexOf('/') <= 0 || pair.endsWith("/"))
                {
                    throw new IllegalStateException("resource " + RESOURCE + ": '" + pair + "' in " + name +
                        " is not module/package");
                }
                pairs.add(pair);
            }
            return List.copyOf(pairs);
        }
    }
}
