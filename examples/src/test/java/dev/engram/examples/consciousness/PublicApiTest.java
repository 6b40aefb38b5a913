package dev.engram.examples.consciousness;

import dev.engram.journal.PublicTypes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The examples module's public types are exactly those listed in src/test/resources/public-api.txt (issue 13: the public
 * API is deliberate; regenerate with -Dengram.publicTypes.write=true and review the diff).
 */
class PublicApiTest
{
    @Test
    void publicTypesAreTheListedOnes() throws Exception
    {
        PublicTypes.assertMatches(Path.of("target/classes"), Path.of("src/test/resources/public-api.txt"));
    }
}
