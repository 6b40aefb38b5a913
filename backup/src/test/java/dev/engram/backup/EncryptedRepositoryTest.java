package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.KeyObject;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.RepositoryConfig;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted repository (docs/backup.md, "Encryption"): backups restore byte for byte; a wrong or missing key is a
 * clear error; a tampered, cut, renamed or swapped object is detected and named; keys rotate. Three backups of one
 * store, small packs so that chunks spread over several; few PBKDF2 iterations to keep the test quick.
 */
class EncryptedRepositoryTest
{
    private static final int ITERATIONS = 2_000;

    @TempDir
    Path tmp;

    private Path store;
    private Path repo;
    private LocalDirectoryStorage storage;
    private Backups backups;
    private final List<TreeMap<String, byte[]>> states = new ArrayList<>();
    private final List<TreeMap<String, byte[]>> files = new ArrayList<>();

    private static RepositoryKey passphrase(final String text)
    {
        return RepositoryKey.passphrase(text.toCharArray(), ITERATIONS);
    }

    private static BackupSettings settings()
    {
        return BackupSettings.defaults().withTargetPackBytes(64 << 10);
    }

    @BeforeEach
    void threeBackups() throws Exception
    {
        store = tmp.resolve("store");
        repo = tmp.resolve("repo");
        storage = LocalDirectoryStorage.open(repo);
        backups = Backups.open(storage, settings(), passphrase("correct horse battery staple"));
        Stores.populate(store, 600, 300, 10);
        files.add(Stores.files(store));   // before state(), which opens the store again
        backups.backup(store);
        states.add(Stores.state(store));
        for (int i = 0; i < 2; i++)
        {
            Stores.change(store, 600, 20, 300, 11 + i);
            files.add(Stores.files(store));
            backups.backup(store);
            states.add(Stores.state(store));
        }
    }

    @AfterEach
    void close() throws IOException
    {
        backups.close();
    }

    @Test
    void encryptedBackupsRestoreByteForByteAndVerifyWithReadData() throws Exception
    {
        assertTrue(backups.encrypted());
        assertEquals(RepositoryConfig.FLAG_ENCRYPTED, storage.get(RepositoryConfig.KEY)[RepositoryConfig.FLAGS_OFFSET]);
        for (int id = 1; id <= 3; id++)
        {
            final Path restored = tmp.resolve("restored-" + id);
            backups.restore(RestoreTarget.backup(id), restored);
            Stores.assertSameFiles(files.get(id - 1), Stores.files(restored), List.of());
            Stores.assertSameState(states.get(id - 1), Stores.state(restored));
        }
        final VerifyReport report = backups.verify(true);
        assertTrue(report.ok(), report.toString());
        assertTrue(report.chunksRead() > 10, report.toString());
        assertEquals(List.of(), report.notes());

        try (Backups again = Backups.open(LocalDirectoryStorage.open(repo), settings(),
            passphrase("correct horse battery staple")))
        {
            assertEquals(3, again.list().size());
            final Path restored = tmp.resolve("reopened");
            again.restore(RestoreTarget.latest(), restored);
            Stores.assertSameState(states.get(2), Stores.state(restored));
        }
    }

    @Test
    void nothingStoredShowsAChunkIdOrAPath() throws Exception
    {
        final Set<ChunkId> ids = new HashSet<>(manifest(3).chunkIds());
        final List<byte[]> needles = new ArrayList<>();
        ids.stream().limit(20).forEach(id -> needles.add(id.bytes()));
        needles.add("checkpoints/".getBytes(StandardCharsets.UTF_8));
        needles.add("ENGRMBKM".getBytes(StandardCharsets.US_ASCII));
        needles.add("ENGRMIDX".getBytes(StandardCharsets.US_ASCII));
        for (final String key : storage.list(""))
        {
            final byte[] object = storage.get(key);
            for (final byte[] needle : needles)
            {
                assertEquals(-1, indexOf(object, needle),
                    key + " shows " + new String(needle, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void aWrongKeyIsAClearError() throws Exception
    {
        final RepositoryKeyException wrong = assertThrows(RepositoryKeyException.class,
            () -> Backups.open(LocalDirectoryStorage.open(repo), settings(),
                passphrase("correct horse battery stapler")));
        assertEquals(RepositoryKeyException.Reason.WRONG_KEY, wrong.reason());
        assertTrue(wrong.getMessage().startsWith("wrong key for the encrypted repository " + storage.describe()),
            wrong.getMessage());
        assertTrue(wrong.getMessage().contains(backups.repositoryId()), wrong.getMessage());
        assertEquals(null, wrong.getCause());

        final Path keyFile = Files.write(tmp.resolve("backup.key"), new byte[32]);
        final RepositoryKeyException otherKind = assertThrows(RepositoryKeyException.class,
            () -> Backups.open(LocalDirectoryStorage.open(repo), settings(), RepositoryKey.keyFile(keyFile)));
        assertEquals(RepositoryKeyException.Reason.WRONG_KEY, otherKind.reason());
        assertTrue(otherKind.getMessage().startsWith("wrong key for the encrypted repository " +
            storage.describe()) && otherKind.getMessage().contains("has no key-file key"), otherKind.getMessage());
    }

    @Test
    void aMissingKeyAndAKeyForAnUnencryptedRepositoryAreClearErrors() throws Exception
    {
        final RepositoryKeyException missing = assertThrows(RepositoryKeyException.class,
            () -> Backups.open(LocalDirectoryStorage.open(repo)));
        assertEquals(RepositoryKeyException.Reason.KEY_REQUIRED, missing.reason());
        assertTrue(missing.getMessage().contains(storage.describe()) && missing.getMessage().contains("is encrypted"),
            missing.getMessage());

        try (Backups plain = Backups.open(tmp.resolve("plain")))
        {
            assertFalse(plain.encrypted());
            assertEquals(List.of(), plain.keys());
        }
        final RepositoryKeyException notEncrypted = assertThrows(RepositoryKeyException.class,
            () -> Backups.open(tmp.resolve("plain"), passphrase("anything")));
        assertEquals(RepositoryKeyException.Reason.NOT_ENCRYPTED, notEncrypted.reason());
        assertTrue(notEncrypted.getMessage().contains("is not encrypted"), notEncrypted.getMessage());
    }

    @Test
    void aTamperedChunkIsNamedWithTheBackupsItBreaks() throws Exception
    {
        final ChunkId onlyInThird = onlyIn(3);
        final ChunkIndex.Location location = ChunkIndex.load(storage, backups.sealer(), false).find(onlyInThird);
        final String packKey = PackFormat.packKey(location.packId());
        final long at = location.entry().offset() + location.entry().storedLength() / 2;
        flip(repo.resolve(packKey), at);   // the row's CRC32C (sealed in the table) or else the GCM tag finds it

        final VerifyReport report = backups.verify(true);
        final VerifyReport.Problem problem = report.problems().stream()
            .filter(p -> onlyInThird.hex().equals(p.chunk())).findFirst()
            .orElseThrow(() -> new AssertionError(report.toString()));
        assertEquals(List.of(3L), problem.brokenBackups());
        assertEquals(packKey, problem.key());

        final RepositoryCorruptionException refused = assertThrows(RepositoryCorruptionException.class,
            () -> backups.restore(RestoreTarget.backup(3), tmp.resolve("restore-3")));
        assertEquals(packKey, refused.key());
        assertTrue(refused.getMessage().contains(onlyInThird.hex()), refused.getMessage());
        backups.restore(RestoreTarget.backup(1), tmp.resolve("restore-1"));
        Stores.assertSameState(states.get(0), Stores.state(tmp.resolve("restore-1")));
    }

    @Test
    void aTamperedOrCutManifestIsNamed() throws Exception
    {
        final String second = ManifestFormat.key(2);
        flip(repo.resolve(second), 100);
        final String third = ManifestFormat.key(3);
        final byte[] whole = storage.get(third);
        storage.delete(third);
        storage.putIfAbsent(third, java.util.Arrays.copyOf(whole, whole.length - 1));

        final VerifyReport report = backups.verify(false);
        assertEquals(List.of(second, third), report.problems().stream().map(VerifyReport.Problem::key).toList(),
            report.toString());
        assertTrue(report.problems().get(0).what().contains("does not authenticate"), report.toString());
        final RepositoryCorruptionException refused = assertThrows(RepositoryCorruptionException.class,
            () -> backups.restore(RestoreTarget.backup(2), tmp.resolve("restore-2")));
        assertEquals(second, refused.key());
        assertEquals(List.of(1L), backups.list().stream().map(BackupInfo::id).toList());
    }

    @Test
    void swappedManifestsAreDetected() throws Exception
    {
        swap(repo.resolve(ManifestFormat.key(1)), repo.resolve(ManifestFormat.key(2)));
        final VerifyReport report = backups.verify(false);
        assertEquals(List.of(ManifestFormat.key(1), ManifestFormat.key(2)),
            report.problems().stream().map(VerifyReport.Problem::key).toList(), report.toString());
        assertThrows(RepositoryCorruptionException.class,
            () -> backups.restore(RestoreTarget.backup(1), tmp.resolve("restore-1")));
    }

    @Test
    void aTamperedOrSwappedIndexObjectIsNamedAndRebuiltFromItsPack() throws Exception
    {
        final List<String> indexKeys = storage.list(PackFormat.INDEX);
        flip(repo.resolve(indexKeys.get(0)), 40);
        swap(repo.resolve(indexKeys.get(1)), repo.resolve(indexKeys.get(2)));

        final VerifyReport report = backups.verify(true);
        assertTrue(report.ok(), report.toString());
        for (int i = 0; i < 3; i++)
        {
            final String key = indexKeys.get(i);
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("index object " + key + " is damaged") &&
                n.contains("does not authenticate")), key + " in " + report.notes());
        }
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(states.get(2), Stores.state(restored));
    }

    @Test
    void swappedPacksAreDetectedAndNeverRestoreWrongBytes() throws Exception
    {
        final List<String> packKeys = storage.list(PackFormat.PACKS);
        swap(repo.resolve(packKeys.get(0)), repo.resolve(packKeys.get(1)));

        final VerifyReport report = backups.verify(true);
        assertFalse(report.ok(), report.toString());
        final Set<String> named = new HashSet<>();
        report.problems().forEach(p -> named.add(p.key()));
        assertTrue(named.containsAll(packKeys.subList(0, 2)), report.toString());

        for (int id = 1; id <= 3; id++)
        {
            final Path restored = tmp.resolve("restored-" + id);
            try
            {
                backups.restore(RestoreTarget.backup(id), restored);
                Stores.assertSameState(states.get(id - 1), Stores.state(restored));
            }
            catch (final RepositoryCorruptionException ex)
            {
                assertTrue(packKeys.subList(0, 2).contains(ex.key()), ex.getMessage());
            }
        }
    }

    @Test
    void aTruncatedPackIsDetected() throws Exception
    {
        final ChunkId onlyInThird = onlyIn(3);
        final String packKey = PackFormat.packKey(ChunkIndex.load(storage, backups.sealer(), false)
            .find(onlyInThird).packId());
        try (FileChannel channel = FileChannel.open(repo.resolve(packKey), StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 7);
        }
        final VerifyReport report = backups.verify(true);
        assertFalse(report.ok(), report.toString());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains(packKey)), report.notes().toString());
        assertTrue(report.problems().stream().anyMatch(p -> onlyInThird.hex().equals(p.chunk()) &&
            p.brokenBackups().equals(List.of(3L))), report.toString());
        assertThrows(BackupException.class, () -> backups.restore(RestoreTarget.backup(3), tmp.resolve("r")));
    }

    @Test
    void keysRotate() throws Exception
    {
        final List<RepositoryKeyInfo> before = backups.keys();
        assertEquals(1, before.size());
        assertTrue(before.get(0).current());
        assertEquals("passphrase", before.get(0).kind());
        assertEquals(ITERATIONS, before.get(0).iterations());
        final String oldId = before.get(0).id();

        final Path keyFile = tmp.resolve("backup.key");
        final byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        Files.write(keyFile, random);
        final String newId = backups.addKey(RepositoryKey.keyFile(keyFile));
        assertEquals(2, backups.keys().size());
        final RepositoryKeyException inUse = assertThrows(RepositoryKeyException.class, () -> backups.removeKey(oldId));
        assertEquals(RepositoryKeyException.Reason.REFUSED, inUse.reason());
        backups.close();

        backups = Backups.open(LocalDirectoryStorage.open(repo), settings(), RepositoryKey.keyFile(keyFile));
        assertEquals(Set.of(newId), backups.keys().stream().filter(RepositoryKeyInfo::current)
            .map(RepositoryKeyInfo::id).collect(java.util.stream.Collectors.toSet()));
        backups.removeKey(oldId);
        assertEquals(List.of(newId), backups.keys().stream().map(RepositoryKeyInfo::id).toList());
        final RepositoryKeyException last = assertThrows(RepositoryKeyException.class, () -> backups.removeKey(newId));
        assertEquals(RepositoryKeyException.Reason.REFUSED, last.reason());
        assertThrows(RepositoryKeyException.class, () -> backups.removeKey("0123456789abcdef0123456789abcdef"));
        backups.close();

        final RepositoryKeyException old = assertThrows(RepositoryKeyException.class, () -> Backups.open(
            LocalDirectoryStorage.open(repo), settings(), passphrase("correct horse battery staple")));
        assertEquals(RepositoryKeyException.Reason.WRONG_KEY, old.reason());
        backups = Backups.open(LocalDirectoryStorage.open(repo), settings(), RepositoryKey.keyFile(keyFile));
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(states.get(2), Stores.state(restored));
        assertTrue(backups.verify(true).ok());
    }

    @Test
    void aDamagedKeyObjectIsNamedAndTheOtherKeysStillOpen() throws Exception
    {
        final Path keyFile = Files.write(tmp.resolve("backup.key"), new byte[40]);
        final String id = backups.addKey(RepositoryKey.keyFile(keyFile));
        flip(repo.resolve(KeyObject.PREFIX + id), KeyObject.SALT_OFFSET + 3);

        final VerifyReport report = backups.verify(false);
        assertEquals(List.of(KeyObject.PREFIX + id), report.problems().stream().map(VerifyReport.Problem::key)
            .toList(), report.toString());
        final RepositoryKeyException refused = assertThrows(RepositoryKeyException.class,
            () -> Backups.open(LocalDirectoryStorage.open(repo), settings(), RepositoryKey.keyFile(keyFile)));
        assertTrue(refused.getMessage().contains("damaged key objects: " + KeyObject.PREFIX + id),
            refused.getMessage());
        try (Backups other = Backups.open(LocalDirectoryStorage.open(repo), settings(),
            passphrase("correct horse battery staple")))
        {
            assertEquals(3, other.list().size());
        }
    }

    @Test
    void aBackupAfterReopeningDeduplicatesAgainstTheEncryptedChunks() throws Exception
    {
        backups.backup(store);   // what state() changed when it opened the store after the last one
        backups.close();
        backups = Backups.open(LocalDirectoryStorage.open(repo), settings(),
            passphrase("correct horse battery staple"));
        final BackupResult same = backups.backup(store);
        assertEquals(0, same.newChunks(), same.toString());
        final Path restored = tmp.resolve("restored");
        backups.restore(RestoreTarget.latest(), restored);
        Stores.assertSameState(states.get(2), Stores.state(restored));
    }

    @Test
    void aRepositoryCreatedInterruptedBeforeItsConfigIsCreatedAgain() throws Exception
    {
        final LocalDirectoryStorage fresh = LocalDirectoryStorage.open(tmp.resolve("fresh"));
        fresh.putIfAbsent(KeyObject.PREFIX + "00112233445566778899aabbccddeeff",
            storage.get(storage.list(KeyObject.PREFIX).get(0)));
        try (Backups created = Backups.open(fresh, settings(), passphrase("another")))
        {
            assertTrue(created.encrypted());
            assertEquals(2, created.keys().size(), "the stray key object stays (it opens nothing here)");
            created.backup(store);
            assertTrue(created.verify(true).ok());
        }
        try (Backups reopened = Backups.open(LocalDirectoryStorage.open(tmp.resolve("fresh")), settings(),
            passphrase("another")))
        {
            assertEquals(1, reopened.list().size());
        }
    }

    private Manifest manifest(final long id) throws IOException
    {
        final String key = ManifestFormat.key(id);
        return ManifestFormat.read(key, storage.get(key), backups.sealer());
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

    private static void swap(final Path a, final Path b) throws IOException
    {
        final Path temp = a.resolveSibling("swap-temp");
        Files.move(a, temp, StandardCopyOption.ATOMIC_MOVE);
        Files.move(b, a, StandardCopyOption.ATOMIC_MOVE);
        Files.move(temp, b, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
