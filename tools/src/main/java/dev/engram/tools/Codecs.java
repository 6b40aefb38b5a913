package dev.engram.tools;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.MigrationRegistry;
import dev.engram.examples.consciousness.ConsciousnessCodecs;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The codecs and migrations the CLI knows: the built-ins (raw bytes, UTF-8 string), every {@link CodecPlugin} found
 * by {@link ServiceLoader} on the class path and in the {@code --plugin} jars, and, with {@code --example-codecs}, the
 * engine's example model (ids 256, 257, 300-303: application ids, so never assumed).
 */
final class Codecs
{
    final CodecRegistry codecs;
    final MigrationRegistry migrations;
    final List<String> loaded = new ArrayList<>();

    private Codecs(final CodecRegistry codecs, final MigrationRegistry migrations)
    {
        this.codecs = codecs;
        this.migrations = migrations;
    }

    static Codecs load(final List<Path> pluginJars, final boolean exampleCodecs)
    {
        return load(pluginJars, exampleCodecs, new CodecRegistry(), new MigrationRegistry());
    }

    /**
     * Register the codecs and migrations into the given registries (e.g. an {@code EngramContext}'s).
     */
    static Codecs load(final List<Path> pluginJars, final boolean exampleCodecs, final CodecRegistry codecs,
        final MigrationRegistry migrations)
    {
        final Codecs result = new Codecs(codecs, migrations);
        if (exampleCodecs)
        {
            ConsciousnessCodecs.register(result.codecs, result.migrations);
            result.loaded.add("example model (ConsciousnessCodecs)");
        }
        final List<URL> urls = new ArrayList<>();
        for (final Path jar : pluginJars == null ? List.<Path>of() : pluginJars)
        {
            if (!Files.isRegularFile(jar))
            {
                throw new IllegalArgumentException("--plugin " + jar + ": no such file");
            }
            try
            {
                urls.add(jar.toUri().toURL());
            }
            catch (final MalformedURLException ex)
            {
                throw new IllegalArgumentException("--plugin " + jar + ": " + ex.getMessage(), ex);
            }
        }
        final ClassLoader loader = urls.isEmpty() ? Codecs.class.getClassLoader() :
            new URLClassLoader(urls.toArray(URL[]::new), Codecs.class.getClassLoader());
        for (final CodecPlugin plugin : ServiceLoader.load(CodecPlugin.class, loader))
        {
            plugin.register(result.codecs, result.migrations);
            result.loaded.add(plugin.getClass().getName());
        }
        return result;
    }
}
