package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.ForwardingStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * verify finds damaged and missing chunks and names the backups they break; prune keeps what kept backups need.
 * Three backups of one store, each after a change; small packs so that chunks spread over many of them.
 */
class VerifyPruneTest
{
    @TempDir
    Path tmp;

    private Path store;
    private LocalDirectoryStorage storage;
    private Backups backups;
    private final List<TreeMap<String, byte[]>> states = new java.util.ArrayList<>();

    @BeforeEach
    void threeBackups() throws Exception
    {
        store = tmp.resolve("store");
        storage = LocalDirectoryStorage.open(tmp.resolve("repo"));
        backups = Backups.open(storage, BackupSettings.defaults().withTargetPackBytes(64 << 10));
        Stores.populate(store, 600, 300, 10);
        backups.backup(store);
        states.add(Stores.state(store));
        for (int i = 0; i < 2; i++)
        {
            Stores.change(store, 600, 20, 300, 11 + i);
            backups.backup(store);
            states.add(Stores.state(store));
        }
    }

    @Test
    void aCleanRepositoryVerifies() throws Exception
    {
        final VerifyReport structure = backups.verify(false);
        assertTrue(structure.ok(), structure.toString());
        assertEquals(3, structure.manifests());
        assertEquals(0, structure.chunksRead());
        final VerifyReport data = backups.verify(true);
        assertTrue(data.ok(), data.toString());
        assertTrue(data.chunksRead() > 10 && data.bytesRead() > 0, data.toString());
    }

    @Test
    void aDamagedChunkIsNamedWithTheBackupsItBreaks() throws Exception
    {
        final ChunkId onlyInThird = onlyIn(3);
        final ChunkIndex.Location location = ChunkIndex.load(storage, false).find(onlyInThird);
        final Path pack = storage.root().resolve(PackFormat.packKey(location.packId()));
        flip(pack, location.entry().offset() + location.entry().storedLength() / 2);

        assertTrue(backups.verify(false).ok(), "structure alone does not read chunks");
        final VerifyReport report = backups.verify(true);
        assertFalse(report.ok());
        final VerifyReport.Problem problem = report.problems().stream()
            .filter(p -> onlyInThird.hex().equals(p.chunk())).findFirst()
            .orElseThrow(() -> new AssertionError(report.toString()));
        assertEquals(List.of(3L), problem.brokenBackups());
        assertTrue(problem.key().equals(PackFormat.packKey(location.packId())), problem.toString());

        final Path target = tmp.resolve("restore-3");
        final RepositoryCorruptionException refused = assertThrows(RepositoryCorruptionException.class,
            () -> backups.restore(RestoreTarget.backup(3), target));
        assertTrue(refused.getMessage().contains(onlyInThird.hex()), refused.getMessage());
        assertFalse(Files.exists(target), "a failed restore leaves no directory");
        final Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThrows(RepositoryCorruptionException.class, () -> backups.restore(RestoreTarget.backup(3), empty));
        try (java.util.stream.Stream<Path> left = Files.list(empty))
        {
            assertEquals(0, left.count(), "a failed restore into an empty directory leaves it empty");
        }
        final Path first = tmp.resolve("restore-1");
        backups.restore(RestoreTarget.backup(1), first);
        Stores.assertSameState(states.get(0), Stores.state(first));
    }

    @Test
    void aMissingPackIsNamedWithEveryBackupItBreaks() throws Exception
    {
        final ChunkId inAll = inAll();
        final ChunkIndex.Location location = ChunkIndex.load(storage, false).find(inAll);
        storage.delete(PackFormat.packKey(location.packId()));

        final VerifyReport report = backups.verify(false);
        final VerifyReport.Problem problem = report.problems().stream()
            .filter(p -> inAll.hex().equals(p.chunk())).findFirst()
            .orElseThrow(() -> new AssertionError(report.toString()));
        assertEquals(List.of(1L, 2L, 3L), problem.brokenBackups());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("names a pack that is not in the repository")));
        final BackupException refused = assertThrows(BackupException.class,
            () -> backups.restore(RestoreTarget.latest(), tmp.resolve("r")));
        assertTrue(refused.getMessage().contains(inAll.hex()), refused.getMessage());
    }

    @Test
    void aLostIndexObjectIsRebuiltFromItsPack() throws Exception
    {
        final String indexKey = storage.list(PackFormat.INDEX).get(0);
        final byte[] before = storage.get(indexKey);
        storage.delete(indexKey);
        final VerifyReport report = backups.verify(true);
        assertTrue(report.ok(), report.toString());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("index rebuilt")), report.notes().toString());
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(states.get(2), Stores.state(restored));

        backups.backup(store);
        assertTrue(java.util.Arrays.equals(before, storage.get(indexKey)), "the next backup writes the index back");
    }

    @Test
    void pruneDeletesDroppedBackupsAndOnlyUnreferencedPacks() throws Exception
    {
        final int packsBefore = storage.list(PackFormat.PACKS).size();
        final PruneResult pruned = backups.prune(RetentionPolicy.keepLast(1));
        assertEquals(List.of(1L, 2L), pruned.deletedBackups());
        assertTrue(pruned.deletedPacks() > 0 && pruned.bytesFreed() > 0, pruned.toString());
        assertEquals(packsBefore - pruned.deletedPacks(), storage.list(PackFormat.PACKS).size());
        assertEquals(storage.list(PackFormat.PACKS).size(), storage.list(PackFormat.INDEX).size());
        assertEquals(List.of(3L), backups.list().stream().map(BackupInfo::id).toList());

        final Set<ChunkId> referenced = new HashSet<>(manifest(3).chunkIds());
        for (final var pack : ChunkIndex.load(storage, false).packs().values())
        {
            assertTrue(pack.stream().anyMatch(e -> referenced.contains(e.id())), "a kept pack holds a kept chunk");
        }
        final VerifyReport report = backups.verify(true);
        assertTrue(report.ok(), report.toString());
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(states.get(2), Stores.state(restored));
        assertEquals(List.of(), backups.prune(RetentionPolicy.keepLast(1)).deletedBackups());
    }

    @Test
    void pruneRefusesWhenAManifestDoesNotRead() throws Exception
    {
        flip(storage.root().resolve(ManifestFormat.key(2)), 200);
        assertThrows(BackupException.class, () -> backups.prune(RetentionPolicy.keepLast(1)));
        assertEquals(3, storage.list(ManifestFormat.MANIFESTS).size(), "nothing deleted");
        final VerifyReport report = backups.verify(false);
        assertEquals(List.of(2L), report.problems().get(0).brokenBackups(), report.toString());
    }

    @Test
    void anInterruptedBackupLeavesTheRepositoryValidAndTheNextOneResumes() throws Exception
    {
        Stores.change(store, 600, 3, 300, 99);
        final TreeMap<String, byte[]> expected = Stores.state(store);
        for (int failAfter = 0; failAfter < 4; failAfter++)
        {
            final FailingStorage failing = new FailingStorage(storage, failAfter);
            final Backups interrupted = Backups.open(failing, BackupSettings.defaults().withTargetPackBytes(16 << 10));
            assertThrows(IOException.class, () -> interrupted.backup(store));
            final VerifyReport report = backups.verify(true);
            assertTrue(report.ok(), report.toString());
            assertEquals(3, backups.list().size());
        }
        final BackupResult resumed = backups.backup(store);
        assertEquals(4, resumed.backup().id());
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(expected, Stores.state(restored));
        final Path older = tmp.resolve("older");
        backups.restore(RestoreTarget.backup(2), older);
        Stores.assertSameState(states.get(1), Stores.state(older));
    }

    private Manifest manifest(final long id) throws IOException
    {
        return ManifestFormat.decode(ManifestFormat.key(id), storage.get(ManifestFormat.key(id)));
    }

    private ChunkId onlyIn(final long id) throws IOException
    {
        final Set<ChunkId> others = new HashSet<>();
        for (long other = 1; other <= 3; other++)
        {
            if (other != id)
            {
                others.addAll(manifest(other).chunkIds());
            }
        }
        return manifest(id).chunkIds().stream().filter(c -> !others.contains(c)).findFirst().orElseThrow();
    }

    private ChunkId inAll() throws IOException
    {
        final Set<ChunkId> second = new HashSet<>(manifest(2).chunkIds());
        final Set<ChunkId> third = new HashSet<>(manifest(3).chunkIds());
        final ChunkId found = manifest(1).chunkIds().stream().filter(c -> second.contains(c) && third.contains(c))
            .findFirst().orElse(null);
        assertNotNull(found);
        return found;
    }

    private static void flip(final Path file, final long at) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x5a)).rewind();
            channel.write(one, at);
        }
    }

    /** A storage whose puts fail after the first {@code allowed} ones (a backup dying part way). */
    private static final class FailingStorage extends ForwardingStorage
    {
        private int allowed;

        FailingStorage(final BackupStorage delegate, final int allowed)
        {
            super(delegate);
            this.allowed = allowed;
        }

        @Override
        public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
        {
            if (allowed-- <= 0)
            {
                throw new IOException("injected: put of " + key + " failed");
            }
            return delegate.putIfAbsent(key, bytes);
        }

        @Override
        public String describe()
        {
            return "failing " + delegate.describe();
        }
    }
}
