package dev.engram.harness.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * restic (when on the PATH) backing up Engram's state directory into a local repository: {@code restic backup}
 * (content-defined chunks, deduplicated, so the second and third backups are incremental), {@code restic restore
 * latest}, {@code restic check --read-data}. No cache ({@code --no-cache}), so each command reads what it needs from
 * the repository, as a restore on a new machine does. The restored state is opened and checked by Engram.
 */
final class ResticSystem
{
    static final String TITLE = "restic";
    private static final String PASSWORD = "engram-bench";

    private final Path restic;
    private final Path repository;
    private final Path log;

    ResticSystem(final Path restic, final Path repository, final Path log) throws Exception
    {
        this.restic = restic;
        this.repository = repository;
        this.log = log;
        Files.createDirectories(log.getParent());
        command("init");
    }

    Timed<Void> backup(final Path state) throws Exception
    {
        return Timed.of(() ->
        {
            command("backup", "--quiet", state.toAbsolutePath().toString());
            return null;
        });
    }

    /** @return the restored state directory: restic restores a snapshot's absolute paths under the target. */
    Timed<Path> restoreLatest(final Path state, final Path target) throws Exception
    {
        return Timed.of(() ->
        {
            command("restore", "latest", "--target", target.toString());
            final Path absolute = state.toAbsolutePath();
            return target.resolve(absolute.getRoot().relativize(absolute).toString());
        });
    }

    Timed<Void> check() throws Exception
    {
        return Timed.of(() ->
        {
            command("check", "--read-data");
            return null;
        });
    }

    private void command(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(restic.toString(), "--no-cache"));
        command.addAll(List.of(args));
        Command.run(command, Map.of("RESTIC_REPOSITORY", repository.toString(), "RESTIC_PASSWORD", PASSWORD), log);
    }
}
