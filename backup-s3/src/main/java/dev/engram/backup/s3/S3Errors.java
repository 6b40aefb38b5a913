package dev.engram.backup.s3;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;

/**
 * Turns the SDK's exceptions into {@link IOException}s an operator can act on: what was done, on which bucket and
 * key at which endpoint, after how many attempts, what the store answered, and what to do next.
 */
final class S3Errors
{
    private final S3Settings settings;

    S3Errors(final S3Settings settings)
    {
        this.settings = settings;
    }

    static boolean notFound(final SdkException ex)
    {
        return ex instanceof NoSuchKeyException || ex instanceof NoSuchBucketException ||
            ex instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    static boolean noSuchBucket(final SdkException ex)
    {
        return ex instanceof NoSuchBucketException || "NoSuchBucket".equals(code(ex));
    }

    /**
     * @param what   the operation, as a verb ("write", "read", "list")
     * @param object the object key in the bucket, or null for the bucket itself
     */
    IOException translate(final String what, final String object, final SdkException ex)
    {
        final String where = where(object);
        final Integer attempts = ex.numAttempts();
        final String tries = attempts == null || attempts <= 1 ? "" : " after " + attempts + " attempts";
        final String message;
        if (ex instanceof AwsServiceException service)
        {
            final int status = service.statusCode();
            final String code = code(ex);
            final String answer = status + (code == null ? "" : " " + code);
            if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code))
            {
                message = "could not " + what + " " + where + ": refused (" + answer + "): the access key id or " +
                    "secret access key is wrong, or the key may not use the bucket; check AWS_ACCESS_KEY_ID and " +
                    "AWS_SECRET_ACCESS_KEY (or --s3-access-key/--s3-secret-key) and the bucket's policy";
            }
            else if (noSuchBucket(ex) || (object == null && status == 404))
            {
                message = "could not " + what + " " + where + ": bucket " + settings.bucket() + " does not exist (" +
                    answer + "): create it, or fix the bucket in the repository URI (s3://bucket/prefix)";
            }
            else if (status >= 500 || status == 429 || service.isThrottlingException())
            {
                message = "could not " + what + " " + where + tries + ": the store answered " + answer +
                    " (unavailable or throttling); run the command again later (objects are immutable and writes " +
                    "conditional, so a rerun is safe) or allow more attempts";
            }
            else
            {
                message = "could not " + what + " " + where + tries + ": the store answered " + answer + ": " +
                    service.awsErrorDetails().errorMessage();
            }
        }
        else
        {
            message = "could not " + what + " " + where + tries + ": " + ex.getMessage() + "; check that the " +
                "endpoint is right and reachable (--s3-endpoint) and the timeouts; a rerun is safe";
        }
        return new IOException(message, ex);
    }

    /**
     * An I/O error while the SDK parsed an answer's body (a list page cut short): it reaches the caller as an
     * {@link java.io.UncheckedIOException}, past the SDK's retries.
     */
    IOException truncated(final String what, final String object, final int attempts, final IOException cause)
    {
        return new IOException("could not " + what + " " + where(object) + " after " + attempts + " attempts: " +
            "the answer's body was cut short (" + cause + "); check that the endpoint is right and reachable " +
            "(--s3-endpoint) and the timeouts; a rerun is safe", cause);
    }

    /** {@code s3://bucket/object} and the endpoint or region. */
    String where(final String object)
    {
        return "s3://" + settings.bucket() + (object == null ? "" : "/" + object) +
            (settings.endpoint() == null ? " (region " + settings.region() + ")" : " at " + settings.endpoint());
    }

    private static String code(final SdkException ex)
    {
        return ex instanceof AwsServiceException service && service.awsErrorDetails() != null ?
            service.awsErrorDetails().errorCode() : null;
    }
}
