package dev.engram.backup.s3;

import software.amazon.awssdk.awscore.defaultsmode.DefaultsMode;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.apache.ProxyConfiguration;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.io.ByteArrayInputStream;

/**
 * Builds the SDK's sync {@link S3Client} from {@link S3Settings}, with nothing looked up: the region, endpoint and
 * credentials are the settings' own, the defaults mode is fixed (never {@code AUTO}, which probes instance
 * metadata), the shared config files are replaced by an empty one, and the HTTP client ignores proxy settings of
 * the environment. So the only host the client talks to is the endpoint.
 */
final class S3Clients
{
    private static final ProfileFile NO_PROFILES = ProfileFile.builder()
        .content(new ByteArrayInputStream(new byte[0])).type(ProfileFile.Type.CONFIGURATION).build();

    private S3Clients()
    {
    }

    /**
     * The HTTP client: Apache's (pooled connections, {@code Expect: 100-continue}), no proxy from the environment.
     * {@code apache-client} (HttpClient 4) is deprecated since SDK 2.3x in favour of {@code apache5-client}: moving is
     * this method and the pom's dependency, the settings are the same.
     */
    @SuppressWarnings("deprecation")
    static SdkHttpClient httpClient(final S3Settings settings)
    {
        return ApacheHttpClient.builder()
            .connectionTimeout(settings.connectTimeout())
            .socketTimeout(settings.socketTimeout())
            .maxConnections(64)
            .proxyConfiguration(ProxyConfiguration.builder().useSystemPropertyValues(false)
                .useEnvironmentVariableValues(false).build())
            .build();
    }

    /**
     * The retry strategy: the SDK's standard one (it knows which S3 answers are transient: 5xx, throttling codes
     * such as {@code SlowDown}, I/O errors and timeouts, and it re-signs and re-sends the body on each attempt),
     * with our attempt count and an exponential back-off with full jitter for errors and throttling alike. The
     * circuit breaker (a token bucket that stops retries after many failures in a row) is off: one storage does
     * one repository's work, and its callers want each request retried the same.
     */
    static RetryStrategy retryStrategy(final S3Settings settings)
    {
        final BackoffStrategy backoff = BackoffStrategy.exponentialDelay(settings.backoffBase(), settings.backoffMax());
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(settings.maxAttempts())
            .backoffStrategy(backoff)
            .throttlingBackoffStrategy(backoff)
            .circuitBreakerEnabled(false)
            .build();
    }

    static S3Client client(final S3Settings settings, final SdkHttpClient http)
    {
        if (settings.credentials() == null)
        {
            throw new IllegalArgumentException("no credentials for " + settings.uri() + ": give an access key id and " +
                "secret (S3Settings.withCredentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the CLI)");
        }
        final S3ClientBuilder builder = S3Client.builder()
            .httpClient(http)
            .region(Region.of(settings.region()))
            .credentialsProvider(settings.credentials())
            .defaultsMode(DefaultsMode.STANDARD)
            .forcePathStyle(settings.pathStyle())
            .crossRegionAccessEnabled(false)
            .disableS3ExpressSessionAuth(true)
            .disableMultiRegionAccessPoints(true)
            .requestChecksumCalculation(settings.transferChecksums() ? RequestChecksumCalculation.WHEN_SUPPORTED :
                RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(settings.transferChecksums() ? ResponseChecksumValidation.WHEN_SUPPORTED :
                ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(o -> o
                .retryStrategy(retryStrategy(settings))
                .apiCallAttemptTimeout(settings.attemptTimeout())
                .defaultProfileFileSupplier(() -> NO_PROFILES)
                .defaultProfileName("default"));
        if (settings.endpoint() != null)
        {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }
}
