package dev.engram.recovery.internal.procedure;

import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.SnapshotIndexReport;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.DirectoryWrites;
import dev.engram.recovery.internal.chain.SnapshotIndexMaintainer;
import dev.engram.recovery.internal.concurrent.SharedRelease;

import dev.engram.journal.BackgroundPriority;
import dev.engram.journal.internal.ThreadScheduling;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The checks a store runs after it is ready, one after the other on their own daemon threads: the Merkle roots the
 * fast restart path left out ({@code engram-merkle-check}), then the snapshot index ({@code engram-index-check}: the
 * catalog and the chain head's key index, opened or rebuilt, a Chronicle Map open that cannot be interrupted).
 * <p>
 * Close never waits for them. {@link #stop()} makes them give up at their next step: the Merkle check before its next
 * block table row, the index check between its steps and at the next entry of a rebuild (a Chronicle Map call in
 * progress finishes first, and its map is then closed, not attached). Meanwhile they keep what they read: they
 * {@linkplain ChainFiles#share() share} the recovered chain, and the index check shares the directory lock while it
 * writes (a catalog or key index rebuild, {@link DirectoryWrites}; none starts once the store closed); whichever of
 * the store's close and the checks ends last unmaps the chain and releases the lock (docs/memory-safety.md). An open
 * of the same directory in this JVM waits for a lock so held ({@link #awaitDirectoryReleased}); only reading (the
 * Merkle roots, opening sealed index files) never holds it.
 */
public final class AfterOpenChecks
{
    /** Longest an open waits for the checks of an instance closed in this JVM to let go of the directory. */
    static final long DIRECTORY_WAIT_MS = 60_000;
    /** Directories whose store closed while a check still held the lock, to the release of that lock. */
    private static final ConcurrentHashMap<Path, CompletableFuture<Void>> CLOSING = new ConcurrentHashMap<>();
    /** Test hooks by directory: called on the check's thread at the start of each step ("merkle", "index", "write"). */
    private static final ConcurrentHashMap<Path, Consumer<String>> HOOKS = new ConcurrentHashMap<>();

    private final Path directory;
    private final CompletableFuture<Void> merkle;
    private final CompletableFuture<SnapshotIndexReport> index;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean stopped;

    /**
     * Start the checks (none runs if there is nothing to check).
     *
     * @param directory      the state directory (names the lock in {@link #awaitDirectoryReleased}).
     * @param priority       the checks' threads' priority.
     * @param chain          the recovered chain, or null.
     * @param maintainer     the snapshot index, or null if it is disabled.
     * @param directoryLock  the store's directory lock, shared by the index check while it writes.
     * @param onDamaged      told of a Merkle root that does not match (on the check's thread).
     */
    public AfterOpenChecks(final Path directory, final BackgroundPriority priority, final ChainFiles chain, final SnapshotIndexMaintainer maintainer,
        final SharedRelease directoryLock, final Consumer<CheckpointCorruptionException> onDamaged)
    {
        this.directory = key(directory);
        final boolean merkleNeeded = chain != null && chain.merkleRootsPending();
        final boolean chainShared = (merkleNeeded || maintainer != null) && chain != null;
        if (chainShared && !chain.share())
        {
            throw new IllegalStateException("the recovered chain was closed before its checks started");
        }
        this.merkle = !merkleNeeded ? CompletableFuture.completedFuture(null) :
            CompletableFuture.runAsync(() -> verifyMerkleRoots(chain, onDamaged), runnable -> startDaemon(ThreadScheduling.loweredTo(priority, runnable), "engram-merkle-check"));
        this.index = maintainer == null ?
            CompletableFuture.completedFuture(new SnapshotIndexReport(false, false, "snapshot index disabled", 0)) :
            merkle.handle((ignored, failure) -> null).thenApplyAsync(ignored -> checkIndex(maintainer, chain,
                    directoryLock), runnable -> startDaemon(ThreadScheduling.loweredTo(priority, runnable), "engram-index-check"));
        index.handle((ignored, failure) -> null).thenCombine(merkle.handle((ignored, failure) -> null), (a, b) -> null)
            .whenComplete((ignored, failure) ->
            {
                try
                {
                    if (chainShared)
                    {
                        chain.leave();   // unmaps it if the store closed meanwhile
                    }
                }
                finally
                {
                    finished.complete(null);
                }
            });
    }

    private void verifyMerkleRoots(final ChainFiles chain, final Consumer<CheckpointCorruptionException> onDamaged)
    {
        hook("merkle");
        try
        {
            if (stopped || !chain.verifyMerkleRoots(() -> stopped))
            {
                throw new CancellationException("Merkle roots not recomputed: the store closed first");
            }
        }
        catch (final CheckpointCorruptionException ex)
        {
            onDamaged.accept(ex);
            throw ex;
        }
    }

    private SnapshotIndexReport checkIndex(final SnapshotIndexMaintainer maintainer, final ChainFiles chain,
        final SharedRelease directoryLock)
    {
        hook("index");
        return maintainer.checkAfterOpen(chain, () -> stopped, new DirectoryWrites()
        {
            @Override
            public boolean begin()
            {
                if (!directoryLock.tryShare())
                {
                    return false;   // the store closed and let go of the directory
                }
                hook("write");
                if (stopped)
                {
                    directoryLock.leave();
                    return false;
                }
                return true;
            }

            @Override
            public void end()
            {
                directoryLock.leave();   // releases the lock if the store closed meanwhile
            }
        });
    }

    private void hook(final String step)
    {
        final Consumer<String> hook = HOOKS.get(directory);
        if (hook != null)
        {
            hook.accept(step);
        }
    }

    /**
     * @return completes when the Merkle roots are recomputed; exceptionally with a {@link CheckpointCorruptionException}
     * if one does not match, or a {@link CancellationException} if the store closed first.
     */
    public CompletableFuture<Void> merkle()
    {
        return merkle;
    }

    /**
     * @return completes with what the snapshot index check found (or that it stopped because the store closed).
     */
    public CompletableFuture<SnapshotIndexReport> index()
    {
        return index;
    }

    /**
     * @return completes (normally) once both checks ended and let go of the chain and the directory.
     */
    public CompletableFuture<Void> finished()
    {
        return finished;
    }

    /**
     * The store is closing: the checks give up at their next step. Returns at once.
     */
    public void stop()
    {
        stopped = true;
    }

    /**
     * Close let go of the directory lock while a check still holds it: an open of the directory in this JVM waits
     * for {@code released} ({@link #awaitDirectoryReleased}).
     */
    public static void noteDirectoryPending(final Path directory, final CompletableFuture<Void> released)
    {
        final Path key = key(directory);
        CLOSING.put(key, released);
        released.whenComplete((ignored, failure) -> CLOSING.remove(key, released));
    }

    /**
     * Before an open takes the directory lock: wait (at most {@link #DIRECTORY_WAIT_MS}) until the checks of an
     * instance of this directory closed in this JVM let go of it, so a reopen right after close finds it free.
     */
    static void awaitDirectoryReleased(final Path directory)
    {
        final CompletableFuture<Void> released = CLOSING.get(key(directory));
        if (released != null)
        {
            try
            {
                released.get(DIRECTORY_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                // the lock's own acquire says what holds the directory
            }
        }
    }

    /**
     * For tests: call {@code hook} on the check's thread at the start of each step ({@code "merkle"},
     * {@code "index"}, and {@code "write"} once a rebuild holds the directory) of stores of {@code directory} (a hook
     * that blocks holds the check, like an uninterruptible Chronicle Map call); null removes it.
     */
    public static void hookForTests(final Path directory, final Consumer<String> hook)
    {
        if (hook == null)
        {
            HOOKS.remove(key(directory));
        }
        else
        {
            HOOKS.put(key(directory), hook);
        }
    }

    private static Path key(final Path directory)
    {
        return directory.toAbsolutePath().normalize();
    }

    private static void startDaemon(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }
}
