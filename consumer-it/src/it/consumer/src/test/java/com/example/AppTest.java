package com.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The program under surefire (argLine carries the flags). */
class AppTest
{
    @Test
    void shouldOpenCommitReadAndReopen(@TempDir final Path dir) throws Exception
    {
        App.main(new String[] {dir.resolve("state").toString()});
    }
}
