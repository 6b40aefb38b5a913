package dev.engram.backup.s3;

import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.NoSuchObjectException;
import dev.engram.backup.storage.StorageKeys;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link BackupStorage} in an S3 bucket (AWS or an S3-compatible store), on the AWS SDK v2 sync client: the key
 * {@code a/b} is the object {@code <keyPrefix>/a/b}. Settings: {@link S3Settings}; docs/backup.md, "S3-compatible
 * storage".
 * <ul>
 *   <li>{@link #putIfAbsent} is a conditional write ({@code If-None-Match: *}): the store refuses it (412) when the
 *       key exists, atomically, so two writers or a retried upload never replace an object. A 412 whose object holds
 *       exactly our bytes (its ETag is their MD5) counts as ours: that is a retried upload whose first attempt
 *       landed, or an identical object (content-addressed packs), either way the object is the one asked for.
 *       A 409 (a conditional write racing another on the same key) is tried again.</li>
 *   <li>Retries (5xx, throttling, I/O errors, timeouts): the SDK's standard strategy, exponential back-off with
 *       full jitter ({@link S3Settings#maxAttempts}); when they run out the error names the bucket, the key and what
 *       to do next.</li>
 *   <li>{@link #get(String, long, int)} is a range GET; {@link #list} pages through ListObjectsV2.</li>
 *   <li>{@link #delete} is a HEAD then a DELETE (S3 does not say whether it deleted anything).</li>
 * </ul>
 * Opening checks the bucket with one HEAD, so wrong credentials or a missing bucket fail there with a clear message.
 */
public final class S3Storage implements BackupStorage
{
    private static final HexFormat HEX = HexFormat.of();

    private final S3Settings settings;
    private final S3Client client;
    private final SdkHttpClient http;
    private final String prefix;
    private final S3Errors errors;

    private S3Storage(final S3Settings settings, final S3Client client, final SdkHttpClient http)
    {
        this.settings = settings;
        this.client = client;
        this.http = http;
        this.prefix = settings.keyPrefix().isEmpty() ? "" : settings.keyPrefix() + "/";
        this.errors = new S3Errors(settings);
    }

    /**
     * Opens the storage: builds the client and checks that the bucket exists and the credentials are accepted.
     *
     * @throws IOException naming the bucket and the next step if it is not reachable, absent or refuses the keys
     */
    public static S3Storage open(final S3Settings settings) throws IOException
    {
        return open(settings, S3Clients.httpClient(settings));
    }

    /** Opens it on a given HTTP client (tests inject faults there); the storage closes it. */
    static S3Storage open(final S3Settings settings, final SdkHttpClient http) throws IOException
    {
        final S3Storage storage;
        try
        {
            storage = new S3Storage(settings, S3Clients.client(settings, http), http);
        }
        catch (final RuntimeException ex)
        {
            http.close();
            throw ex;
        }
        try
        {
            storage.client.headBucket(b -> b.bucket(settings.bucket()));
        }
        catch (final SdkException ex)
        {
            storage.close();
            throw storage.errors.translate("open the repository (HEAD bucket)", null, ex);
        }
        return storage;
    }

    /** The settings. */
    public S3Settings settings()
    {
        return settings;
    }

    @Override
    public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
    {
        final String object = object(key);
        return retryingCutBodies("write", object, () -> putOnce(object, bytes));
    }

    private boolean putOnce(final String object, final byte[] bytes) throws IOException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                client.putObject(b -> b.bucket(settings.bucket()).key(object).ifNoneMatch("*")
                    .contentLength((long)bytes.length), RequestBody.fromBytes(bytes));
                return true;
            }
            catch (final S3Exception ex)
            {
                if (ex.statusCode() == 412)
                {
                    return holdsExactly(object, bytes);
                }
                if (ex.statusCode() == 409 && attempt < settings.maxAttempts())
                {
                    pause(attempt);
                    continue;
                }
                throw errors.translate("write", object, ex);
            }
            catch (final SdkException ex)
            {
                throw errors.translate("write", object, ex);
            }
        }
    }

    @Override
    public byte[] get(final String key) throws IOException
    {
        final String object = object(key);
        return retryingCutBodies("read", object, () ->
        {
            try
            {
                return client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(object)).asByteArray();
            }
            catch (final SdkException ex)
            {
                throw missingOr("read", key, object, ex);
            }
        });
    }

    @Override
    public byte[] get(final String key, final long offset, final int length) throws IOException
    {
        if (offset < 0 || length < 0)
        {
            throw new IllegalArgumentException("offset and length must be >= 0: " + offset + ", " + length);
        }
        final String object = object(key);
        if (length == 0)
        {
            final long size = size(key);
            if (offset > size)
            {
                throw pastEnd(object, offset, length, size);
            }
            return new byte[0];
        }
        final byte[] bytes = retryingCutBodies("read", object, () ->
        {
            try
            {
                return client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(object)
                    .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray();
            }
            catch (final S3Exception ex)
            {
                if (ex.statusCode() == 416)
                {
                    throw pastEnd(object, offset, length, -1);
                }
                throw missingOr("read", key, object, ex);
            }
            catch (final SdkException ex)
            {
                throw missingOr("read", key, object, ex);
            }
        });
        if (bytes.length != length)
        {
            throw pastEnd(object, offset, length, offset + bytes.length);
        }
        return bytes;
    }

    @Override
    public long size(final String key) throws IOException
    {
        final String object = object(key);
        try
        {
            return head(object).contentLength();
        }
        catch (final SdkException ex)
        {
            throw missingOr("look up", key, object, ex);
        }
    }

    @Override
    public boolean exists(final String key) throws IOException
    {
        final String object = object(key);
        try
        {
            head(object);
            return true;
        }
        catch (final SdkException ex)
        {
            if (S3Errors.notFound(ex))
            {
                return false;
            }
            throw errors.translate("look up", object, ex);
        }
    }

    @Override
    public List<String> list(final String keyPrefix) throws IOException
    {
        StorageKeys.checkPrefix(keyPrefix);
        final ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(settings.bucket())
            .prefix(prefix + keyPrefix).maxKeys(settings.listPageSize()).build();
        return retryingCutBodies("list", prefix + keyPrefix, () ->
        {
            final List<String> keys = new ArrayList<>();
            try
            {
                for (final ListObjectsV2Response page : client.listObjectsV2Paginator(request))
                {
                    for (final S3Object object : page.contents())
                    {
                        keys.add(object.key().substring(prefix.length()));
                    }
                }
            }
            catch (final SdkException ex)
            {
                throw errors.translate("list", prefix + keyPrefix, ex);
            }
            keys.sort(null);
            return keys;
        });
    }

    @Override
    public boolean delete(final String key) throws IOException
    {
        if (!exists(key))
        {
            return false;
        }
        final String object = object(key);
        try
        {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(object));
            return true;
        }
        catch (final SdkException ex)
        {
            throw errors.translate("delete", object, ex);
        }
    }

    @Override
    public String describe()
    {
        return "S3 storage " + settings.uri() + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
    }

    @Override
    public String toString()
    {
        return describe();
    }

    /** Closes the client and its HTTP client (the SDK leaves a given HTTP client open). */
    @Override
    public void close()
    {
        try
        {
            client.close();
        }
        finally
        {
            http.close();
        }
    }

    private String object(final String key)
    {
        return prefix + StorageKeys.check(key);
    }

    private HeadObjectResponse head(final String object)
    {
        return client.headObject(b -> b.bucket(settings.bucket()).key(object));
    }

    /** After a 412: whether the object there holds exactly these bytes (a retried upload of ours landed first). */
    private boolean holdsExactly(final String object, final byte[] bytes) throws IOException
    {
        final String etag;
        try
        {
            etag = head(object).eTag();
        }
        catch (final SdkException ex)
        {
            throw errors.translate("look up (after a refused conditional write)", object, ex);
        }
        final String hex = etag == null ? "" : etag.replace("\"", "");
        if (hex.length() == 32 && hex.indexOf('-') < 0)
        {
            return hex.equalsIgnoreCase(md5(bytes));
        }
        try
        {
            return java.util.Arrays.equals(bytes,
                client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(object)).asByteArray());
        }
        catch (final SdkException ex)
        {
            throw errors.translate("read (after a refused conditional write)", object, ex);
        }
    }

    private IOException missingOr(final String what, final String key, final String object, final SdkException ex)
    {
        if (S3Errors.notFound(ex) && !S3Errors.noSuchBucket(ex))
        {
            return new NoSuchObjectException(describe(), key);
        }
        return errors.translate(what, object, ex);
    }

    private EOFException pastEnd(final String object, final long offset, final int length, final long size)
    {
        return new EOFException("range [" + offset + ", " + (offset + length) + ") of s3://" + settings.bucket() +
            "/" + object + " reaches past its end" + (size < 0 ? "" : " " + size));
    }

    /** One call to the store that may throw an {@link IOException}. */
    @FunctionalInterface
    private interface Call<T>
    {
        T run() throws IOException;
    }

    /**
     * Runs {@code call}, again (with back-off, up to the attempts) when the SDK fails it with an
     * {@link UncheckedIOException}: an answer's XML body cut short (a list page) is parsed past the SDK's retry
     * layer, which retries only what fails before or while it reads bytes, so the cut would reach the caller
     * unretried and untranslated (found by {@code S3WireFaultTest}).
     */
    private <T> T retryingCutBodies(final String what, final String object, final Call<T> call) throws IOException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return call.run();
            }
            catch (final UncheckedIOException ex)
            {
                if (attempt >= settings.maxAttempts())
                {
                    throw errors.truncated(what, object, attempt, ex.getCause());
                }
                pause(attempt);
            }
        }
    }

    private void pause(final int attempt)
    {
        final long max = Math.min(settings.backoffMax().toNanos(), settings.backoffBase().toNanos() << Math.min(attempt, 20));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(Math.max(1, max)));
        if (Thread.interrupted())
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String md5(final byte[] bytes)
    {
        try
        {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
