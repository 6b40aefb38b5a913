package dev.engram.backup.s3;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.engram.backup.s3.FaultInjectingHttpClient.Action.FAIL;
import static dev.engram.backup.s3.FaultInjectingHttpClient.Action.PASS;
import static dev.engram.backup.s3.FaultInjectingHttpClient.Action.PASS_THEN_FAIL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S3Storage under faults: concurrent writers, lost responses, 503s until the retries run out, wrong credentials.
 */
class S3StorageFaultTest
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

    private static S3Settings fastRetries(final int attempts)
    {
        return server.settings("repo").withRetries(attempts, Duration.ofMillis(1), Duration.ofMillis(5));
    }

    private static S3Storage faulty(final S3Settings settings, final FaultInjectingHttpClient http) throws IOException
    {
        return S3Storage.open(settings, http);
    }

    @Test
    void aConditionalWriteLosesCleanlyToAConcurrentWriter() throws Exception
    {
        final S3Settings settings = fastRetries(5);
        try (S3Storage other = S3Storage.open(settings))
        {
            // our first PUT is held back while the other writer publishes the manifest, then answered 503; the
            // SDK retries it, the store refuses it (If-None-Match: *), and the other writer's manifest stays
            final FaultInjectingHttpClient http = new FaultInjectingHttpClient(S3Clients.httpClient(settings),
                (n, method) ->
                {
                    if (method == SdkHttpMethod.PUT && n == 2)
                    {
                        other.putIfAbsent("manifests/0001", bytes("theirs"));
                        return FAIL;
                    }
                    return PASS;
                });
            try (S3Storage mine = faulty(settings, http))
            {
                assertFalse(mine.putIfAbsent("manifests/0001", bytes("ours, a different manifest")));
                assertEquals(1, http.failed());
            }
            assertArrayEquals(bytes("theirs"), other.get("manifests/0001"));
        }
    }

    @Test
    void aRetriedUploadWhoseFirstAttemptLandedIsOurs() throws Exception
    {
        final S3Settings settings = fastRetries(5);
        final FaultInjectingHttpClient http = new FaultInjectingHttpClient(S3Clients.httpClient(settings),
            (n, method) -> method == SdkHttpMethod.PUT && n == 2 ? PASS_THEN_FAIL : PASS);
        try (S3Storage storage = faulty(settings, http))
        {
            assertTrue(storage.putIfAbsent("manifests/0002", bytes("ours")), "the response was lost, the object is ours");
            assertFalse(storage.putIfAbsent("manifests/0002", bytes("another")));
            assertArrayEquals(bytes("ours"), storage.get("manifests/0002"));
            assertEquals(1, http.failed());
        }
    }

    @Test
    void transientErrorsAreRetriedWithBackOff() throws Exception
    {
        final S3Settings settings = fastRetries(4);
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger gets = new AtomicInteger();
        final FaultInjectingHttpClient http = new FaultInjectingHttpClient(S3Clients.httpClient(settings),
            (n, method) ->
            {
                // after the HEAD of open: each PUT and each GET fails 3 times, the 4th attempt passes
                if (method == SdkHttpMethod.PUT)
                {
                    return puts.incrementAndGet() % 4 == 0 ? PASS : FAIL;
                }
                if (method == SdkHttpMethod.GET)
                {
                    return gets.incrementAndGet() % 4 == 0 ? PASS : FAIL;
                }
                return PASS;
            });
        try (S3Storage storage = faulty(settings, http))
        {
            assertTrue(storage.putIfAbsent("packs/aa/one", bytes("pack")));
            assertArrayEquals(bytes("pack"), storage.get("packs/aa/one"));
            assertEquals(4, puts.get());
            assertEquals(4, gets.get());
            assertEquals(6, http.failed());
        }
    }

    @Test
    void retriesGiveUpWithAClearError() throws Exception
    {
        final S3Settings settings = fastRetries(3);
        final FaultInjectingHttpClient http = new FaultInjectingHttpClient(S3Clients.httpClient(settings),
            (n, method) -> method == SdkHttpMethod.PUT ? FAIL : PASS);
        try (S3Storage storage = faulty(settings, http))
        {
            final IOException failure = assertThrows(IOException.class,
                () -> storage.putIfAbsent("manifests/0003", bytes("never")));
            final String message = failure.getMessage();
            assertTrue(message.contains("s3://" + settings.bucket() + "/repo/manifests/0003"), message);
            assertTrue(message.contains("after 3 attempts"), message);
            assertTrue(message.contains("503 SlowDown"), message);
            assertTrue(message.contains("run the command again"), message);
            assertEquals(3, http.failed());
            assertFalse(storage.exists("manifests/0003"));
        }
    }

    @Test
    void aWrongSecretKeyIsAClearErrorAtOpen()
    {
        final S3Settings wrong = server.settings("repo").withCredentials(S3ProxyServer.ACCESS_KEY, "not-the-secret");
        final IOException failure = assertThrows(IOException.class, () -> S3Storage.open(wrong));
        final String message = failure.getMessage();
        assertTrue(message.contains("s3://" + wrong.bucket()), message);
        assertTrue(message.contains("403"), message);
        assertTrue(message.contains("secret access key is wrong"), message);
        assertTrue(message.contains("AWS_SECRET_ACCESS_KEY"), message);
    }

    @Test
    void aMissingBucketIsAClearErrorAtOpen()
    {
        final S3Settings missing = S3Settings.forBucket("no-such-bucket").withEndpoint(server.endpoint())
            .withPathStyle(true).withCredentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        final IOException failure = assertThrows(IOException.class, () -> S3Storage.open(missing));
        assertTrue(failure.getMessage().contains("bucket no-such-bucket does not exist"), failure.getMessage());
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
