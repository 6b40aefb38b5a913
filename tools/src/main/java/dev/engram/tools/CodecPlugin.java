package dev.engram.tools;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.MigrationRegistry;

/**
 * How an application hands its codecs and migrations to the CLI ({@code get --type}, {@code migrate}): a class
 * implementing this, named in {@code META-INF/services/dev.engram.tools.CodecPlugin} of a jar given with
 * {@code --plugin JAR} (or on the class path). The CLI cannot know an application's codec ids otherwise, and
 * {@code migrate} refuses to run while a value's codec is unknown.
 */
public interface CodecPlugin
{
    /**
     * Register the application's codecs and migrations.
     */
    void register(CodecRegistry codecs, MigrationRegistry migrations);
}
