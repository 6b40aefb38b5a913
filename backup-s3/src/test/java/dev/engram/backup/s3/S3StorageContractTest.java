package dev.engram.backup.s3;

import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.BackupStorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The storage contract on S3Storage against S3Proxy; each test in a new bucket under a key prefix. */
class S3StorageContractTest extends BackupStorageContract
{
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception
    {
        server = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        server.close();
    }

    @Override
    protected BackupStorage newStorage() throws Exception
    {
        return S3Storage.open(server.settings("repos/one").withListPageSize(3));
    }

    @Test
    void listPagesThroughManyKeysAndSeesOnlyItsPrefix() throws Exception
    {
        final S3Settings mine = ((S3Storage)storage).settings();
        try (S3Storage other = S3Storage.open(mine.withKeyPrefix("repos/other")))
        {
            other.putIfAbsent("packs/zz", bytes("other repository"));
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                expected.add("packs/" + i);
                storage.putIfAbsent("packs/" + i, bytes("p" + i));
            }
            assertEquals(expected, storage.list("packs/"));
            assertEquals(List.of("packs/zz"), other.list(""));
        }
    }
}
