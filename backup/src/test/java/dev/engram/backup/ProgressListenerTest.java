package dev.engram.backup;

import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The progress a backup, a restore and a read-data verify report: counts that never go back, calls one at a time,
 * and a last call (only the last one finished) with every count at its total and the totals equal to what the
 * operation did. Parallelism 3 and a call at every chunk (interval 0), so workers race to report.
 */
class ProgressListenerTest
{
    @TempDir
    Path tmp;

    /** Records every call; fails on calls that overlap. */
    private static final class Recorder implements ProgressListener
    {
        final List<Progress> calls = new CopyOnWriteArrayList<>();
        private boolean inside;

        @Override
        public synchronized void progress(final Progress progress)
        {
            assertTrue(!inside, "calls overlap");
            inside = true;
            calls.add(progress);
            inside = false;
        }

        Progress last()
        {
            return calls.get(calls.size() - 1);
        }

        void assertMonotonicAndFinished(final Progress.Operation operation)
        {
            assertTrue(calls.size() > 1, calls.toString());
            Progress previous = null;
            for (final Progress call : calls)
            {
                assertEquals(operation, call.operation());
                assertTrue(call.bytesDone() <= call.bytesTotal() && call.filesDone() <= call.filesTotal() &&
                    call.chunksDone() <= call.chunksTotal(), call.toString());
                if (previous != null)
                {
                    assertTrue(call.bytesDone() >= previous.bytesDone() && call.filesDone() >= previous.filesDone() &&
                        call.chunksDone() >= previous.chunksDone() && call.bytesTotal() >= previous.bytesTotal() &&
                        call.filesTotal() >= previous.filesTotal() && call.chunksTotal() >= previous.chunksTotal() &&
                        call.elapsed().compareTo(previous.elapsed()) >= 0, previous + " then " + call);
                    assertTrue(!previous.finished(), "a call after the finished one: " + call);
                }
                previous = call;
            }
            final Progress last = last();
            assertTrue(last.finished(), last.toString());
            assertEquals(last.bytesTotal(), last.bytesDone());
            assertEquals(last.filesTotal(), last.filesDone());
            assertEquals(last.chunksTotal(), last.chunksDone());
            assertEquals(java.time.Duration.ZERO, last.eta().orElseThrow());
            assertEquals(1.0, last.fraction());
        }
    }

    @Test
    void backupRestoreAndVerifyReportCountsThatEndAtTheirTotals() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, 1000, 500, 31);
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(tmp.resolve("repo")),
            BackupSettings.defaults().withTargetPackBytes(128 << 10).withParallelism(3)))
        {
            backups.progressInterval(0);
            final Recorder backup = new Recorder();
            final BackupResult made = backups.backup(store, backup);
            backup.assertMonotonicAndFinished(Progress.Operation.BACKUP);
            assertEquals(made.backup().rawBytes(), backup.last().bytesTotal());
            assertEquals(made.backup().files(), backup.last().filesTotal());
            assertEquals(made.backup().chunks(), backup.last().chunksTotal());

            final Recorder restore = new Recorder();
            final RestoreResult restored = backups.restore(RestoreTarget.latest(), tmp.resolve("restored"), restore);
            restore.assertMonotonicAndFinished(Progress.Operation.RESTORE);
            assertEquals(restored.bytes(), restore.last().bytesTotal());
            assertEquals(restored.files(), restore.last().filesTotal());
            assertEquals(made.backup().chunks(), restore.last().chunksTotal());

            final Recorder verify = new Recorder();
            final VerifyReport report = backups.verify(true, verify);
            assertTrue(report.ok(), report.toString());
            verify.assertMonotonicAndFinished(Progress.Operation.VERIFY);
            assertEquals(report.bytesRead(), verify.last().bytesTotal());
            assertEquals(report.packs(), verify.last().filesTotal());
            assertEquals(report.chunksRead(), verify.last().chunksTotal());

            final Recorder structure = new Recorder();
            backups.verify(false, structure);
            assertEquals(1, structure.calls.size(), "without read-data only the last call");
            assertTrue(structure.last().finished());
        }
    }

    @Test
    void callsWhileItRunsAreAtLeastTheIntervalApart() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, 1000, 500, 32);
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(tmp.resolve("repo"))))
        {
            final Recorder backup = new Recorder();
            backups.backup(store, backup);
            final List<Progress> calls = backup.calls;
            assertTrue(backup.last().finished());
            for (int i = 0; i < calls.size() - 1; i++)
            {
                assertTrue(!calls.get(i).finished());
                final long since = calls.get(i).elapsed().toMillis() - (i == 0 ? 0 : calls.get(i - 1).elapsed().toMillis());
                assertTrue(since >= ProgressListener.INTERVAL_MS - 1, i + ": " + calls);
            }
        }
    }
}
