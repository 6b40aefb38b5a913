package dev.engram.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Child JVM of {@link EngramMigrateCrashTest}: opens a version-1 state with the version-2 codec and migrates it in
 * batches of 50 keys, publishing the number of progress calls to a file after each (atomically, by rename, once the
 * batches before are written) and pausing 20 ms there so the run lasts long enough to be killed in the middle. Never closes: it ends by kill -9.
 * Args: state directory, progress file.
 */
public final class MigrateCrashChild
{
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final Path progressFile = Path.of(args[1]);
        final Path temp = progressFile.resolveSibling(progressFile.getFileName() + ".tmp");
        final Engram engram = Engram.open(dir, EngramMigrateTest.ctx(2).migrationBatch(50, 1 << 20));
        final int[] calls = {0};
        engram.migrate(scanned ->
        {
            try
            {
                // a read waits until this thread's own commits are applied (read-your-writes), so written: the
                // batches counted so far survive the kill
                engram.contains("item/0");
                Files.writeString(temp, Integer.toString(++calls[0]));
                Files.move(temp, progressFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Thread.sleep(20);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        Files.writeString(progressFile.resolveSibling("finished"), "the run ended before the kill");
        Thread.sleep(Long.MAX_VALUE);
    }
}
