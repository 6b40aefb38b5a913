package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.storage.ForwardingStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restore and read-data verify on several threads give exactly what they give on one: the same files byte for byte,
 * the same report, and a damaged chunk reported the same way (named, with the backups it breaks; the restore fails on
 * the first damaged chunk in file order and leaves nothing). Two backups of one store, packs of 128 KiB so that the
 * chunks spread over many packs.
 */
class ParallelRestoreVerifyTest
{
    @TempDir
    Path tmp;

    private Path store;
    private Path repo;
    private final List<TreeMap<String, byte[]>> files = new ArrayList<>();

    @BeforeEach
    void twoBackups() throws Exception
    {
        store = tmp.resolve("store");
        repo = tmp.resolve("repo");
        Stores.populate(store, 1500, 600, 21);
        try (Backups backups = open(1))
        {
            backups.backup(store);
            files.add(Stores.files(store));
            Stores.change(store, 1500, 30, 600, 22);
            backups.backup(store);
            files.add(Stores.files(store));
        }
    }

    private Backups open(final int parallelism) throws IOException
    {
        return Backups.open(LocalDirectoryStorage.open(repo),
            BackupSettings.defaults().withTargetPackBytes(128 << 10).withParallelism(parallelism));
    }

    @Test
    void restoresAndReadDataVerifiesAreTheSameAtEveryParallelism() throws Exception
    {
        final VerifyReport serial;
        try (Backups one = open(1))
        {
            serial = one.verify(true);
            assertTrue(serial.ok(), serial.toString());
            assertTrue(serial.packs() > 4, serial.toString());
            for (long id = 1; id <= 2; id++)
            {
                one.restore(RestoreTarget.backup(id), tmp.resolve("serial-" + id));
            }
        }
        for (final int parallelism : new int[] {2, 4})
        {
            try (Backups many = open(parallelism))
            {
                assertEquals(serial, many.verify(true), "read-data verify with parallelism " + parallelism);
                for (long id = 1; id <= 2; id++)
                {
                    final Path restored = tmp.resolve("parallel-" + parallelism + "-" + id);
                    final RestoreResult result = many.restore(RestoreTarget.backup(id), restored);
                    final TreeMap<String, byte[]> bytes = Stores.files(restored);
                    Stores.assertSameFiles(Stores.files(tmp.resolve("serial-" + id)), bytes, List.of());
                    Stores.assertSameFiles(files.get((int)id - 1), bytes, List.of());
                    assertEquals(result.backup().rawBytes(), result.bytes());
                }
                final VersionRange range = many.versionRanges().get(1);
                final Path atVersion = tmp.resolve("at-" + parallelism);
                assertEquals(range.firstVersion(),
                    many.restore(RestoreTarget.version(range.firstVersion()), atVersion).stateVersion());
                try (Backups one = open(1))
                {
                    final Path serialAt = tmp.resolve("serial-at-" + parallelism);
                    one.restore(RestoreTarget.version(range.firstVersion()), serialAt);
                    Stores.assertSameFiles(Stores.files(serialAt), Stores.files(atVersion), List.of());
                }
            }
        }
        Stores.assertSameState(Stores.state(tmp.resolve("serial-2")), Stores.state(tmp.resolve("parallel-4-2")));
    }

    @Test
    void neighbouringChunksOfAPackAreReadTogether() throws Exception
    {
        // a full backup into packs of the default 16 MiB: each file's chunks lie one after another in one pack
        final AtomicInteger rangedReads = new AtomicInteger();
        final LocalDirectoryStorage local = LocalDirectoryStorage.open(tmp.resolve("one-pack"));
        final ForwardingStorage counting = new ForwardingStorage(local)
        {
            @Override
            public byte[] get(final String key, final long offset, final int length) throws IOException
            {
                if (key.startsWith(PackFormat.PACKS))
                {
                    rangedReads.incrementAndGet();
                }
                return super.get(key, offset, length);
            }
        };
        try (Backups backups = Backups.open(counting, BackupSettings.defaults().withParallelism(3)))
        {
            backups.backup(store);
            rangedReads.set(0);
            final RestoreResult result = backups.restore(RestoreTarget.latest(), tmp.resolve("restored"));
            final Manifest manifest = manifest(local, 1);
            final ChunkId zeros = ChunkId.of(new byte[64 << 10]);
            final long stored = manifest.files().stream().flatMap(f -> f.chunks().stream())
                .filter(c -> !c.id().equals(zeros)).count();
            assertTrue(rangedReads.get() <= manifest.files().size() + 2 && rangedReads.get() * 4 < stored,
                rangedReads.get() + " ranged reads for " + stored + " stored chunks of " + manifest.files().size() +
                " files");
            Stores.assertSameFiles(files.get(1), Stores.files(result.directory()), List.of());
        }
    }

    @Test
    void aDamagedChunkIsReportedTheSameWayAtEveryParallelism() throws Exception
    {
        final LocalDirectoryStorage local = LocalDirectoryStorage.open(repo);
        final Manifest second = manifest(local, 2);
        final Set<ChunkId> inFirst = new HashSet<>(manifest(local, 1).chunkIds());
        final ChunkIndex index = ChunkIndex.load(local, false);
        // two chunks only the second backup uses, far apart in its file order: the first one is the one a restore names
        final List<ChunkId> onlySecond = new ArrayList<>();
        for (final Manifest.File file : second.files())
        {
            for (final Manifest.ChunkRef ref : file.chunks())
            {
                if (!inFirst.contains(ref.id()) && !onlySecond.contains(ref.id()))
                {
                    onlySecond.add(ref.id());
                }
            }
        }
        assertTrue(onlySecond.size() > 4, onlySecond.toString());
        final ChunkId early = onlySecond.get(1);
        final ChunkId late = onlySecond.get(onlySecond.size() - 1);
        for (final ChunkId damaged : List.of(late, early))
        {
            final ChunkIndex.Location location = index.find(damaged);
            flip(local.root().resolve(PackFormat.packKey(location.packId())),
                location.entry().offset() + location.entry().storedLength() / 2);
        }

        final VerifyReport serial;
        final String serialRefusal;
        try (Backups one = open(1))
        {
            serial = one.verify(true);
            serialRefusal = assertThrows(RepositoryCorruptionException.class,
                () -> one.restore(RestoreTarget.backup(2), tmp.resolve("serial"))).getMessage();
            one.restore(RestoreTarget.backup(1), tmp.resolve("first-serial"));
        }
        assertFalse(serial.ok());
        for (final ChunkId damaged : List.of(early, late))
        {
            final VerifyReport.Problem problem = serial.problems().stream()
                .filter(p -> damaged.hex().equals(p.chunk())).findFirst()
                .orElseThrow(() -> new AssertionError(serial.toString()));
            assertEquals(List.of(2L), problem.brokenBackups());
        }
        assertTrue(serialRefusal.contains(early.hex()), serialRefusal);

        try (Backups many = open(4))
        {
            assertEquals(serial, many.verify(true));
            final Path target = tmp.resolve("parallel");
            final RepositoryCorruptionException refused = assertThrows(RepositoryCorruptionException.class,
                () -> many.restore(RestoreTarget.backup(2), target));
            assertEquals(serialRefusal, refused.getMessage());
            assertFalse(Files.exists(target), "a failed restore leaves no directory");
            try (Stream<Path> left = Files.list(tmp))
            {
                assertEquals(0, left.filter(p -> p.getFileName().toString().contains(".restoring-")).count());
            }
            final Path first = tmp.resolve("first-parallel");
            many.restore(RestoreTarget.backup(1), first);
            Stores.assertSameFiles(files.get(0), Stores.files(first), List.of());
        }
    }

    private static Manifest manifest(final LocalDirectoryStorage storage, final long id) throws IOException
    {
        return ManifestFormat.decode(ManifestFormat.key(id), storage.get(ManifestFormat.key(id)));
    }

    private static void flip(final Path file, final long at) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x5a)).rewind();
            channel.write(one, at);
        }
    }
}
