package dev.engram.recovery;

import dev.engram.journal.PublicTypes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The recovery module's public types are exactly those listed in src/test/resources/public-api.txt (issue 13: the public
 * API is deliberate; regenerate with -Dengram.publicTypes.write=true and review the diff).
 * <p>
 * The list is the API package {@code dev.engram.recovery}. The public types of {@code dev.engram.recovery.internal.*}
 * are not user API and are not listed ({@link PublicTypes#isInternal}): they are public only so recovery's own
 * packages can share them, and tools' {@code ArchitectureTest} keeps engine, tools and bench from using them.
 */
class PublicApiTest
{
    @Test
    void publicTypesAreTheListedOnes() throws Exception
    {
        PublicTypes.assertMatches(Path.of("target/classes"), Path.of("src/test/resources/public-api.txt"));
    }
}
