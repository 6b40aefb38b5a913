package dev.engram.backup.s3;

import dev.engram.backup.storage.StorageKeys;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how an {@link S3Storage} reaches its bucket. Every value is explicit: the client looks nothing up
 * (no instance metadata, no credential chain, no region discovery, no proxy from the environment).
 *
 * @param endpoint          the S3 endpoint ({@code http://127.0.0.1:9000}, {@code https://s3.eu-west-1.amazonaws.com});
 *                          null: AWS's endpoint for the region
 * @param region            the signing region (default {@code us-east-1}; S3-compatible stores mostly accept any)
 * @param bucket            the bucket (must exist)
 * @param keyPrefix         the repository's keys are under {@code <keyPrefix>/} (empty: at the bucket's root)
 * @param credentials       the credentials; explicit ({@link #withCredentials(String, String)}) or a provider the
 *                          caller chose (so a credential chain runs only when asked for)
 * @param pathStyle         {@code http://host/bucket/key} rather than {@code http://bucket.host/key} (most
 *                          S3-compatible stores need it; default false)
 * @param connectTimeout    TCP connect timeout (default 5 s)
 * @param socketTimeout     longest wait for bytes on an open connection (default 30 s)
 * @param attemptTimeout    longest single HTTP attempt, then it is retried (default 60 s)
 * @param maxAttempts       attempts per request, the first included (default 5; 1: no retry)
 * @param backoffBase       first retry's delay bound; doubles per retry, full jitter (default 100 ms)
 * @param backoffMax        the longest delay between attempts (default 10 s)
 * @param transferChecksums send and check the SDK's CRC32 checksums on transfers (default true; turn off for an
 *                          S3-compatible store that rejects them — objects carry their own CRC32C and SHA-256)
 * @param listPageSize      keys per list request (default 1,000, S3's largest)
 */
public record S3Settings(URI endpoint, String region, String bucket, String keyPrefix,
    AwsCredentialsProvider credentials, boolean pathStyle, Duration connectTimeout, Duration socketTimeout,
    Duration attemptTimeout, int maxAttempts, Duration backoffBase, Duration backoffMax, boolean transferChecksums,
    int listPageSize)
{
    public static final String DEFAULT_REGION = "us-east-1";
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    public S3Settings
    {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"))
        {
            throw new IllegalArgumentException("not an S3 bucket name (3..63 of a-z 0-9 . -): " + bucket);
        }
        keyPrefix = keyPrefix == null ? "" : stripSlashes(keyPrefix);
        if (!keyPrefix.isEmpty())
        {
            StorageKeys.check(keyPrefix);
        }
        if (maxAttempts < 1)
        {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        if (listPageSize < 1 || listPageSize > 1000)
        {
            throw new IllegalArgumentException("listPageSize must be 1..1000: " + listPageSize);
        }
    }

    /** The defaults for a bucket; credentials still to be given. */
    public static S3Settings forBucket(final String bucket)
    {
        return new S3Settings(null, DEFAULT_REGION, bucket, "", null, false, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(60), DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(100),
            Duration.ofSeconds(10), true, 1000);
    }

    /**
     * Settings from a repository URI {@code s3://bucket/prefix} (the prefix may be empty).
     *
     * @throws IllegalArgumentException if it is not one
     */
    public static S3Settings forUri(final String uri)
    {
        if (!uri.startsWith("s3://"))
        {
            throw new IllegalArgumentException("not an s3:// repository URI: " + uri);
        }
        final String rest = uri.substring("s3://".length());
        final int slash = rest.indexOf('/');
        return forBucket(slash < 0 ? rest : rest.substring(0, slash))
            .withKeyPrefix(slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** This repository's place as a URI: {@code s3://bucket/prefix}. */
    public String uri()
    {
        return "s3://" + bucket + "/" + keyPrefix;
    }

    public S3Settings withEndpoint(final URI uri)
    {
        return new S3Settings(uri, region, bucket, keyPrefix, credentials, pathStyle, connectTimeout, socketTimeout,
            attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    public S3Settings withRegion(final String name)
    {
        return new S3Settings(endpoint, name, bucket, keyPrefix, credentials, pathStyle, connectTimeout,
            socketTimeout, attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    public S3Settings withKeyPrefix(final String prefix)
    {
        return new S3Settings(endpoint, region, bucket, prefix, credentials, pathStyle, connectTimeout, socketTimeout,
            attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    /** Static credentials (an access key id and its secret). */
    public S3Settings withCredentials(final String accessKeyId, final String secretAccessKey)
    {
        return withCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId,
            secretAccessKey)));
    }

    public S3Settings withCredentials(final AwsCredentialsProvider provider)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, provider, pathStyle, connectTimeout, socketTimeout,
            attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    public S3Settings withPathStyle(final boolean on)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, credentials, on, connectTimeout, socketTimeout,
            attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    public S3Settings withTimeouts(final Duration connect, final Duration socket, final Duration attempt)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, credentials, pathStyle, connect, socket, attempt,
            maxAttempts, backoffBase, backoffMax, transferChecksums, listPageSize);
    }

    public S3Settings withRetries(final int attempts, final Duration base, final Duration max)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, credentials, pathStyle, connectTimeout,
            socketTimeout, attemptTimeout, attempts, base, max, transferChecksums, listPageSize);
    }

    public S3Settings withTransferChecksums(final boolean on)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, credentials, pathStyle, connectTimeout,
            socketTimeout, attemptTimeout, maxAttempts, backoffBase, backoffMax, on, listPageSize);
    }

    public S3Settings withListPageSize(final int keys)
    {
        return new S3Settings(endpoint, region, bucket, keyPrefix, credentials, pathStyle, connectTimeout,
            socketTimeout, attemptTimeout, maxAttempts, backoffBase, backoffMax, transferChecksums, keys);
    }

    private static String stripSlashes(final String prefix)
    {
        int start = 0;
        int end = prefix.length();
        while (start < end && prefix.charAt(start) == '/')
        {
            start++;
        }
        while (end > start && prefix.charAt(end - 1) == '/')
        {
            end--;
        }
        return prefix.substring(start, end);
    }
}
