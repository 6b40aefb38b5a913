package dev.engram.harness.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The plain baseline: the whole state directory through {@code tar --sparse} piped to {@code zstd -3} into one file
 * (no incremental: each backup is a full copy), restored through {@code zstd -d | tar -x}, verified with
 * {@code zstd -t} (the CLI's content checksum). The tar stream crosses a pipe, which {@link Io} counts on both
 * sides: its length is taken out of the read and written bytes, so they are what touched files.
 */
final class TarZstdSystem
{
    static final String TITLE = "tar + zstd";

    private final Path tar;
    private final Path zstd;
    private final Path archive;
    private final Path log;
    private long streamBytes = -1;

    TarZstdSystem(final Path tar, final Path zstd, final Path archive, final Path log)
    {
        this.tar = tar;
        this.zstd = zstd;
        this.archive = archive;
        this.log = log;
    }

    /** The archive of {@code state}; read: the files tar read, written: the archive. */
    Timed<Long> backup(final Path state) throws Exception
    {
        final Timed<Long> run = Timed.of(() ->
        {
            Command.pipe(List.of(tar.toString(), "--sparse", "-C", state.getParent().toString(), "-cf", "-",
                state.getFileName().toString()), List.of(zstd.toString(), "-q", "-3", "-c"), archive, log);
            return Files.size(archive);
        });
        // wchar = the tar stream (tar into the pipe) + the archive (zstd into the file); rchar = files + the stream
        streamBytes = run.io().written() - run.value();
        return new Timed<>(run.value(), run.nanos(), new Io(minus(run.io().read(), streamBytes), run.value()));
    }

    /** Restores into {@code target} (created); the state is then {@code target/<state's name>}. */
    Timed<Path> restore(final Path state, final Path target) throws Exception
    {
        Files.createDirectories(target);
        final Timed<Path> run = Timed.of(() ->
        {
            Command.pipe(List.of(zstd.toString(), "-d", "-q", "-c", archive.toString()),
                List.of(tar.toString(), "--sparse", "-C", target.toString(), "-xf", "-"), null, log);
            return target.resolve(state.getFileName().toString());
        });
        // rchar = the archive + the stream (tar from the pipe); wchar = the stream (zstd into the pipe) + the files
        return new Timed<>(run.value(), run.nanos(), new Io(minus(run.io().read(), streamBytes),
            minus(run.io().written(), streamBytes)));
    }

    Timed<Void> verify() throws Exception
    {
        return Timed.of(() ->
        {
            Command.run(List.of(zstd.toString(), "-t", "-q", archive.toString()), java.util.Map.of(), log);
            return null;
        });
    }

    private static long minus(final long a, final long b)
    {
        return a < 0 || b < 0 ? -1 : a - b;
    }
}
