package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointTestSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static dev.engram.recovery.internal.checkpoint.CheckpointTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CheckpointCatalogTest
{
    @TempDir
    Path dir;

    private CheckpointInfo full;
    private CheckpointInfo delta1;
    private CheckpointInfo delta2;

    @BeforeEach
    void writeChain()
    {
        final Random random = new Random(seed());
        full = writeFull(dir, 1, 100, randomState(random, 100, 0, 0), CheckpointCompression.ZSTD, 4096);
        delta1 = writeDelta(dir, full, 2, 150, Map.of("k/new", new byte[] {1}), CheckpointCompression.NONE, 4096);
        delta2 = writeDelta(dir, delta1, 3, 170, Map.of("k/new", new byte[] {2}), CheckpointCompression.NONE, 4096);
    }

    private static List<CatalogRecord> recordsOf(final CheckpointInfo... infos)
    {
        return java.util.Arrays.stream(infos).map(CatalogRecord::of).collect(Collectors.toList());
    }

    @Test
    void shouldBuildAMissingCatalogThenUseItAsItIs() throws IOException
    {
        final CatalogReport first = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_MISSING, first.outcome());
        assertTrue(first.rebuilt());
        assertEquals(recordsOf(full, delta1, delta2), first.catalog().records());
        assertEquals(dir.resolve(CheckpointFiles.catalogFileName(3)), first.catalog().file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.catalog().file())));

        final CatalogReport second = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.CURRENT, second.outcome(), second.toString());
        assertNull(second.reason());

        final CheckpointCatalog opened = CheckpointCatalog.open(dir);
        assertEquals(first.catalog().records(), opened.records());
        final CatalogRecord record = opened.record(2).orElseThrow();
        assertEquals(2, record.checkpointId());
        assertTrue(record.isDelta());
        assertEquals(150, record.stateVersion());
        assertEquals(151, record.journalResumeVersion());
        assertEquals(CheckpointFiles.checkpointFileName(2), record.fileName());
        assertEquals(delta1.fileLength(), record.fileLength());
        assertArrayEquals(delta1.merkleRoot(), record.merkleRoot());
        assertEquals(1, record.parentId());
        assertEquals(1, record.baseId());
        assertEquals(1, record.chainOrdinal());
        assertEquals(delta1.createdEpochMs(), record.createdEpochMs());
        assertEquals(3, opened.newest().orElseThrow().checkpointId());
    }

    @Test
    void shouldRoundTripEveryRecordFieldThroughItsEncoding()
    {
        for (final CatalogRecord record : recordsOf(full, delta1, delta2))
        {
            assertEquals(record, CatalogRecord.decode(record.encode()));
            final byte[] bytes = record.encode();
            assertEquals(CatalogRecordDescriptor.recordLength(record.fileName().length()), bytes.length);
            for (int i = 0; i < bytes.length; i++)
            {
                final byte[] damaged = bytes.clone();
                damaged[i] ^= 0x08;
                assertNull(CatalogRecord.decode(damaged), "flip at " + i + " accepted");
            }
        }
    }

    @Test
    void shouldAddAPublishedCheckpointAsANewCatalogFileAndDropTheOldOne()
    {
        final CheckpointCatalog catalog = CheckpointCatalog.write(dir, recordsOf(full, delta1));
        assertEquals(dir.resolve(CheckpointFiles.catalogFileName(2)), catalog.file());
        final CheckpointCatalog next = catalog.with(delta2);
        assertEquals(dir.resolve(CheckpointFiles.catalogFileName(3)), next.file());
        assertFalse(Files.exists(catalog.file()));
        assertFalse(Files.exists(CheckpointFiles.sealOf(catalog.file())));
        assertEquals(recordsOf(full, delta1, delta2), CheckpointCatalog.open(dir).records());
        assertEquals(CatalogReport.Outcome.CURRENT, CatalogRebuilder.ensureCurrent(dir).outcome());
    }

    @Test
    void shouldRebuildAStaleCatalogWhenTheNewestCheckpointIsNotInIt()
    {
        CheckpointCatalog.write(dir, recordsOf(full, delta1));
        final CatalogReport report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_STALE, report.outcome());
        assertTrue(report.reason().contains(CheckpointFiles.checkpointFileName(3)), report.reason());
        assertEquals(recordsOf(full, delta1, delta2), report.catalog().records());
        assertEquals(1, CheckpointCatalog.catalogFiles(dir).size());
    }

    @Test
    void shouldRebuildAStaleCatalogWhenItListsADeletedCheckpoint() throws IOException
    {
        CatalogRebuilder.ensureCurrent(dir);
        Files.delete(delta2.path());
        final CatalogReport report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_STALE, report.outcome());
        assertTrue(report.reason().contains("lists " + CheckpointFiles.checkpointFileName(3)), report.reason());
        assertEquals(recordsOf(full, delta1), report.catalog().records());
    }

    @Test
    void shouldRebuildADamagedCatalogWhenBytesAreFlippedAnywhere() throws IOException
    {
        final Path file = CatalogRebuilder.ensureCurrent(dir).catalog().file();
        final byte[] original = Files.readAllBytes(file);
        final Random random = new Random(seed());
        for (int i = 0; i < 5; i++)
        {
            final int position = i == 0 ? 0 : random.nextInt(original.length);
            final byte[] damaged = original.clone();
            damaged[position] ^= 0x10;
            Files.write(file, damaged);
            final CatalogReport report = CatalogRebuilder.ensureCurrent(dir);
            assertEquals(CatalogReport.Outcome.REBUILT_DAMAGED, report.outcome(), "flip at " + position);
            assertTrue(report.reason().contains("CRC32C"), report.reason());
            assertEquals(recordsOf(full, delta1, delta2), report.catalog().records());
            assertArrayEquals(original, Files.readAllBytes(report.catalog().file()), "rebuilt identically");
        }
    }

    @Test
    void shouldRebuildACatalogWhenTruncatedUnsealedOrItsSealIsDamaged() throws IOException
    {
        Path file = CatalogRebuilder.ensureCurrent(dir).catalog().file();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() / 2);
        }
        CatalogReport report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_DAMAGED, report.outcome());
        assertTrue(report.reason().contains("length"), report.reason());

        file = report.catalog().file();
        Files.delete(CheckpointFiles.sealOf(file));
        report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_DAMAGED, report.outcome());
        assertTrue(report.reason().contains("no seal"), report.reason());

        final Path seal = CheckpointFiles.sealOf(report.catalog().file());
        final byte[] sealBytes = Files.readAllBytes(seal);
        sealBytes[MapSealDescriptor.ENTRY_COUNT_OFFSET] ^= 1;
        Files.write(seal, sealBytes);
        report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(CatalogReport.Outcome.REBUILT_DAMAGED, report.outcome());
        assertTrue(report.reason().contains("seal is damaged"), report.reason());
        assertEquals(CatalogReport.Outcome.CURRENT, CatalogRebuilder.ensureCurrent(dir).outcome());
    }

    @Test
    void shouldLeaveOutTempFilesAndRejectDamagedCheckpointFilesNamingThem() throws IOException
    {
        Files.write(dir.resolve(CheckpointFiles.checkpointFileName(9) + CheckpointFiles.TMP_SUFFIX), new byte[4096]);
        final byte[] bytes = Files.readAllBytes(delta2.path());
        bytes[bytes.length - 10] ^= 1;
        Files.write(delta2.path(), bytes);
        final CatalogReport report = CatalogRebuilder.ensureCurrent(dir);
        assertEquals(recordsOf(full, delta1), report.catalog().records());
        assertEquals(1, report.rejectedFiles().size());
        assertTrue(report.rejectedFiles().get(0).contains(delta2.path().toString()) &&
            report.rejectedFiles().get(0).contains("footer CRC32C"), report.rejectedFiles().toString());
    }

    @Test
    void shouldWriteAnEmptyCatalogForAnEmptyDirectory(@TempDir final Path empty)
    {
        final CatalogReport report = CatalogRebuilder.ensureCurrent(empty);
        assertEquals(CatalogReport.Outcome.REBUILT_MISSING, report.outcome());
        assertTrue(report.catalog().records().isEmpty());
        assertEquals(CatalogReport.Outcome.CURRENT, CatalogRebuilder.ensureCurrent(empty).outcome());
    }

    @Test
    void shouldDeclareTheRecordAndSealOffsetsOfTheDiagrams()
    {
        assertEquals(0, CatalogRecordDescriptor.RECORD_VERSION_OFFSET);
        assertEquals(1, CatalogRecordDescriptor.KIND_OFFSET);
        assertEquals(2, CatalogRecordDescriptor.FILE_NAME_LENGTH_OFFSET);
        assertEquals(4, CatalogRecordDescriptor.CHAIN_ORDINAL_OFFSET);
        assertEquals(8, CatalogRecordDescriptor.CHECKPOINT_ID_OFFSET);
        assertEquals(16, CatalogRecordDescriptor.STATE_VERSION_OFFSET);
        assertEquals(24, CatalogRecordDescriptor.JOURNAL_RESUME_VERSION_OFFSET);
        assertEquals(32, CatalogRecordDescriptor.PARENT_ID_OFFSET);
        assertEquals(40, CatalogRecordDescriptor.BASE_ID_OFFSET);
        assertEquals(48, CatalogRecordDescriptor.FILE_LENGTH_OFFSET);
        assertEquals(56, CatalogRecordDescriptor.CREATED_EPOCH_MS_OFFSET);
        assertEquals(64, CatalogRecordDescriptor.MERKLE_ROOT_OFFSET);
        assertEquals(96, CatalogRecordDescriptor.FILE_NAME_OFFSET);
        assertEquals(100 + 5, CatalogRecordDescriptor.recordLength(5));

        assertEquals(0, MapSealDescriptor.MAGIC_OFFSET);
        assertEquals(8, MapSealDescriptor.FORMAT_VERSION_OFFSET);
        assertEquals(12, MapSealDescriptor.KIND_OFFSET);
        assertEquals(16, MapSealDescriptor.OWNER_ID_OFFSET);
        assertEquals(24, MapSealDescriptor.BASE_ID_OFFSET);
        assertEquals(32, MapSealDescriptor.CHAIN_ORDINAL_OFFSET);
        assertEquals(36, MapSealDescriptor.MAP_FILE_CRC_OFFSET);
        assertEquals(40, MapSealDescriptor.ENTRY_COUNT_OFFSET);
        assertEquals(48, MapSealDescriptor.CAPACITY_OFFSET);
        assertEquals(56, MapSealDescriptor.MAP_FILE_LENGTH_OFFSET);
        assertEquals(64, MapSealDescriptor.CREATED_EPOCH_MS_OFFSET);
        assertEquals(72, MapSealDescriptor.RESERVED_OFFSET);
        assertEquals(76, MapSealDescriptor.SEAL_CRC_OFFSET);
        assertEquals(80, MapSealDescriptor.SEAL_LENGTH);
    }

    @Test
    void shouldStoreRecordAndSealFieldsAtTheirDocumentedOffsets() throws IOException
    {
        final byte[] bytes = CatalogRecord.of(delta1).encode();
        final org.agrona.concurrent.UnsafeBuffer b = new org.agrona.concurrent.UnsafeBuffer(bytes);
        final java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
        assertEquals(1, b.getByte(0));
        assertEquals(1, b.getByte(1));
        final String name = CheckpointFiles.checkpointFileName(2);
        assertEquals(name.length(), b.getShort(2, le));
        assertEquals(1, b.getInt(4, le));
        assertEquals(2, b.getLong(8, le));
        assertEquals(150, b.getLong(16, le));
        assertEquals(151, b.getLong(24, le));
        assertEquals(1, b.getLong(32, le));
        assertEquals(1, b.getLong(40, le));
        assertEquals(delta1.fileLength(), b.getLong(48, le));
        assertEquals(delta1.createdEpochMs(), b.getLong(56, le));
        assertArrayEquals(delta1.merkleRoot(), java.util.Arrays.copyOfRange(bytes, 64, 96));
        assertEquals(name, new String(bytes, 96, name.length(), java.nio.charset.StandardCharsets.UTF_8));

        final Path file = CheckpointCatalog.write(dir, recordsOf(full, delta1, delta2)).file();
        final byte[] seal = Files.readAllBytes(CheckpointFiles.sealOf(file));
        final org.agrona.concurrent.UnsafeBuffer s = new org.agrona.concurrent.UnsafeBuffer(seal);
        assertEquals("ENGRMSEL", new String(seal, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, s.getInt(8, le));
        assertEquals(MapSealDescriptor.KIND_CATALOG, s.getInt(12, le));
        assertEquals(3, s.getLong(16, le));
        assertEquals(MapSeal.fileCrc(file), s.getInt(36, le));
        assertEquals(3, s.getLong(40, le));
        assertEquals(Files.size(file), s.getLong(56, le));
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(seal, 0, 76);
        assertEquals((int)crc.getValue(), s.getInt(76, le));
    }
}
