package dev.engram.replica;

import dev.engram.journal.PublicTypes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The replica module's public types are exactly those listed in src/test/resources/public-api.txt (issue 13: the public
 * API is deliberate; regenerate with -Dengram.publicTypes.write=true and review the diff). The API is
 * {@code dev.engram.replica}; the batch format, batcher, state machine and Ratis setup are internal.
 */
class PublicApiTest
{
    @Test
    void publicTypesAreTheListedOnes() throws Exception
    {
        PublicTypes.assertMatches(Path.of("target/classes"), Path.of("src/test/resources/public-api.txt"));
    }
}
