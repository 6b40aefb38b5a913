package dev.engram.backup.s3;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An S3 server in the test JVM: S3Proxy on 127.0.0.1 (a free port), objects in memory, requests authenticated
 * (AWS signature v2 or v4) with {@link #ACCESS_KEY}/{@link #SECRET_KEY}.
 */
public final class S3ProxyServer implements AutoCloseable
{
    public static final String ACCESS_KEY = "engram-test-access";
    public static final String SECRET_KEY = "engram-test-secret-0123456789";

    private final BlobStore blobStore = new TransientNio2BlobStore();
    private final S3Proxy proxy;
    private final AtomicInteger buckets = new AtomicInteger();

    public S3ProxyServer() throws Exception
    {
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
    }

    /** The endpoint. */
    public URI endpoint()
    {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A new, empty bucket. */
    public String newBucket()
    {
        final String bucket = "bucket-" + buckets.incrementAndGet();
        blobStore.createContainer(bucket);
        return bucket;
    }

    /** Settings for a new, empty bucket with the right credentials and a key prefix. */
    public S3Settings settings(final String keyPrefix)
    {
        return S3Settings.forBucket(newBucket()).withKeyPrefix(keyPrefix).withEndpoint(endpoint())
            .withPathStyle(true).withCredentials(ACCESS_KEY, SECRET_KEY);
    }

    @Override
    public void close() throws Exception
    {
        proxy.stop();
    }
}
