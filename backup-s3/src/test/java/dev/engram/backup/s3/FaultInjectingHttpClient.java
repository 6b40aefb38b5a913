package dev.engram.backup.s3;

import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP client for the S3 client that answers some requests itself with a 503 (S3's {@code SlowDown}), under the
 * SDK's retry layer: so a test sees real retries. What it does to the n-th request (from 1) is the test's
 * {@link Fault}; the rest go to a real client.
 */
final class FaultInjectingHttpClient implements SdkHttpClient
{
    /** What happens to one request. */
    enum Action
    {
        /** Sent to the store. */
        PASS,
        /** Not sent: answered 503. */
        FAIL,
        /** Sent to the store, its answer dropped and replaced by a 503 (a lost response). */
        PASS_THEN_FAIL
    }

    /** The test's choice for the n-th request (counted from 1). */
    interface Fault
    {
        Action on(int request, SdkHttpMethod method) throws IOException;
    }

    private static final byte[] SLOW_DOWN = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>" +
        "<Message>Please reduce your request rate (injected).</Message></Error>").getBytes(StandardCharsets.UTF_8);

    private final SdkHttpClient delegate;
    private final Fault fault;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    FaultInjectingHttpClient(final SdkHttpClient delegate, final Fault fault)
    {
        this.delegate = delegate;
        this.fault = fault;
    }

    /** Requests seen. */
    int requests()
    {
        return requests.get();
    }

    /** Requests answered with an injected 503. */
    int failed()
    {
        return failed.get();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(final HttpExecuteRequest request)
    {
        final ExecutableHttpRequest real = delegate.prepareRequest(request);
        return new ExecutableHttpRequest()
        {
            @Override
            public HttpExecuteResponse call() throws IOException
            {
                final Action action = fault.on(requests.incrementAndGet(), request.httpRequest().method());
                if (action == Action.PASS)
                {
                    return real.call();
                }
                if (action == Action.PASS_THEN_FAIL)
                {
                    final HttpExecuteResponse response = real.call();
                    if (response.responseBody().isPresent())
                    {
                        response.responseBody().get().close();
                    }
                }
                failed.incrementAndGet();
                return HttpExecuteResponse.builder()
                    .response(SdkHttpResponse.builder().statusCode(503).statusText("Slow Down")
                        .putHeader("Content-Type", "application/xml")
                        .putHeader("Content-Length", Integer.toString(SLOW_DOWN.length)).build())
                    .responseBody(AbortableInputStream.create(new ByteArrayInputStream(SLOW_DOWN)))
                    .build();
            }

            @Override
            public void abort()
            {
                real.abort();
            }
        };
    }

    @Override
    public void close()
    {
        delegate.close();
    }
}
