package dev.engram.backup.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 endpoint (S3Proxy), for fault tests on the wire: the S3 client's
 * endpoint is this proxy, and each request (one per connection: the proxy asks both sides for
 * {@code Connection: close}) gets what the test's {@link Faults} chooses, by its number, method and path:
 * <ul>
 *   <li>{@link Fault#PASS}: relayed both ways, untouched;</li>
 *   <li>{@link Fault#SERVER_ERROR}: not relayed, answered {@code 503 SlowDown} (or 500 for every second one);</li>
 *   <li>{@link Fault#STALL}: not relayed, never answered: the connection stays open and silent until the client
 *       gives up (its socket or attempt timeout);</li>
 *   <li>{@link Fault#TRUNCATE_RESPONSE}: relayed, but the answer's body is cut after half its
 *       {@code Content-Length} and the connection closed;</li>
 *   <li>{@link Fault#CUT_UPLOAD}: the request's head and half its body (of its {@code Content-Length}) are relayed,
 *       then both connections are reset: the store sees an upload cut mid-body, the client a reset.</li>
 * </ul>
 * Plain HTTP only (the tests' S3Proxy endpoint); the head is parsed only for the request line, the lengths and
 * {@code Connection}.
 */
public final class LoopbackFaultProxy implements AutoCloseable
{
    /** What happens to one request. */
    public enum Fault
    {
        PASS, SERVER_ERROR, STALL, TRUNCATE_RESPONSE, CUT_UPLOAD
    }

    /** The test's choice for the n-th request (from 1) with this method ("PUT") and path (with query). */
    @FunctionalInterface
    public interface Faults
    {
        Fault on(int request, String method, String path);
    }

    /** One request the proxy saw, and what it did to it. */
    public record Seen(int request, String method, String path, Fault fault)
    {
    }

    private static final int MAX_HEAD = 64 << 10;

    private final URI upstream;
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Faults faults = (n, method, path) -> Fault.PASS;
    private volatile boolean closed;

    /** Listens on 127.0.0.1 (a free port) and relays to {@code upstream} (http://host:port). */
    public LoopbackFaultProxy(final URI upstream) throws IOException
    {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's endpoint, for {@link S3Settings#withEndpoint}. */
    public URI endpoint()
    {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Sets the faults for the requests from now on. */
    public void faults(final Faults chosen)
    {
        this.faults = chosen;
    }

    /** The requests seen so far, in order of arrival. */
    public List<Seen> seen()
    {
        return List.copyOf(seen);
    }

    /** How many requests got {@code fault}. */
    public long count(final Fault fault)
    {
        return seen.stream().filter(s -> s.fault() == fault).count();
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        for (final Socket socket : open)
        {
            quietClose(socket);
        }
    }

    private void accept()
    {
        while (!closed)
        {
            final Socket client;
            try
            {
                client = server.accept();
            }
            catch (final IOException ex)
            {
                return;
            }
            open.add(client);
            final Thread handler = new Thread(() -> handle(client), "fault-proxy-conn");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void handle(final Socket client)
    {
        Socket store = null;
        try
        {
            final InputStream fromClient = client.getInputStream();
            final byte[] head = readHead(fromClient);
            if (head == null)
            {
                return;
            }
            final Head request = Head.parse(head);
            final int n = requests.incrementAndGet();
            final Fault fault = faults.on(n, request.method, request.path);
            seen.add(new Seen(n, request.method, request.path, fault));
            switch (fault)
            {
                case SERVER_ERROR -> answerError(client, request, n);
                case STALL -> drainUntilClosed(fromClient);
                default ->
                {
                    store = new Socket();
                    open.add(store);
                    store.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 5_000);
                    relay(client, store, request, fault);
                }
            }
        }
        catch (final IOException ex)
        {
            // a side went away: the client sees it as the fault it is
        }
        finally
        {
            quietClose(client);
            if (store != null)
            {
                quietClose(store);
            }
        }
    }

    private void relay(final Socket client, final Socket store, final Head request, final Fault fault)
        throws IOException
    {
        final OutputStream toStore = store.getOutputStream();
        toStore.write(request.withConnectionClose());
        toStore.flush();
        final long bodyLimit = fault == Fault.CUT_UPLOAD ? Math.max(1, request.contentLength / 2) : Long.MAX_VALUE;
        final Thread upload = new Thread(() ->
        {
            try
            {
                final long copied = copy(client.getInputStream(), toStore, bodyLimit);
                if (fault == Fault.CUT_UPLOAD && copied >= bodyLimit)
                {
                    reset(store);
                    reset(client);
                }
                else
                {
                    store.shutdownOutput();
                }
            }
            catch (final IOException ex)
            {
                // the connection ended
            }
        }, "fault-proxy-upload");
        upload.setDaemon(true);
        upload.start();
        final InputStream fromStore = store.getInputStream();
        final OutputStream toClient = client.getOutputStream();
        if (fault == Fault.TRUNCATE_RESPONSE)
        {
            Head response;
            do
            {
                final byte[] head = readHead(fromStore);
                if (head == null)
                {
                    return;
                }
                response = Head.parse(head);
                toClient.write(head);
                toClient.flush();
            }
            while (response.status == 100);
            copy(fromStore, toClient, Math.max(0, response.contentLength / 2));
            toClient.flush();
            reset(client);
            return;
        }
        copy(fromStore, toClient, Long.MAX_VALUE);
        toClient.flush();
        client.shutdownOutput();
        try
        {
            upload.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void answerError(final Socket client, final Head request, final int n) throws IOException
    {
        final boolean slowDown = n % 2 == 1;
        final String code = slowDown ? "SlowDown" : "InternalError";
        final byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
            "injected by the loopback fault proxy</Message></Error>").getBytes(StandardCharsets.UTF_8);
        final String status = slowDown ? "503 Slow Down" : "500 Internal Server Error";
        final OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + body.length +
            "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        client.shutdownOutput();
        if (!request.expectContinue)
        {
            // read what body the client sends, so that closing does not reset the connection under our answer
            client.setSoTimeout(5_000);
            copy(client.getInputStream(), OutputStream.nullOutputStream(), request.contentLength);
        }
    }

    private static void drainUntilClosed(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0)
        {
            // say nothing: the client's timeout ends it
        }
    }

    /** Copies up to {@code limit} bytes; returns how many. */
    private static long copy(final InputStream in, final OutputStream out, final long limit) throws IOException
    {
        final byte[] buffer = new byte[16384];
        long copied = 0;
        while (copied < limit)
        {
            final int read = in.read(buffer, 0, (int)Math.min(buffer.length, limit - copied));
            if (read < 0)
            {
                break;
            }
            out.write(buffer, 0, read);
            copied += read;
        }
        out.flush();
        return copied;
    }

    /** The bytes up to and including the blank line, or null if the stream ended first. */
    private static byte[] readHead(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                return null;
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEAD)
            {
                throw new IOException("HTTP head longer than " + MAX_HEAD);
            }
        }
        return head.toByteArray();
    }

    private static void reset(final Socket socket)
    {
        try
        {
            socket.setSoLinger(true, 0);
        }
        catch (final IOException ex)
        {
            // closing it is all that is left
        }
        quietClose(socket);
    }

    private static void quietClose(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // nothing to do
        }
    }

    /** A request's or response's head: the first line and the headers the proxy needs. */
    private static final class Head
    {
        final String[] lines;
        final String method;
        final String path;
        final int status;
        final long contentLength;
        final boolean expectContinue;

        private Head(final String[] lines)
        {
            this.lines = lines;
            final String[] first = lines[0].split(" ", 3);
            final boolean response = first[0].startsWith("HTTP/");
            this.method = response ? "" : first[0];
            this.path = response ? "" : first.length > 1 ? first[1] : "";
            this.status = response && first.length > 1 ? Integer.parseInt(first[1]) : 0;
            long length = 0;
            boolean expect = false;
            for (final String line : lines)
            {
                final String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:"))
                {
                    length = Long.parseLong(line.substring(15).trim());
                }
                else if (lower.startsWith("expect:") && lower.contains("100-continue"))
                {
                    expect = true;
                }
            }
            this.contentLength = length;
            this.expectContinue = expect;
        }

        static Head parse(final byte[] head)
        {
            final String text = new String(head, 0, head.length - 4, StandardCharsets.ISO_8859_1);
            return new Head(text.split("\r\n"));
        }

        /** The head with {@code Connection: close} (so the connection carries this request only). */
        byte[] withConnectionClose()
        {
            final StringBuilder out = new StringBuilder();
            for (final String line : lines)
            {
                if (!line.toLowerCase(Locale.ROOT).startsWith("connection:"))
                {
                    out.append(line).append("\r\n");
                }
            }
            out.append("Connection: close\r\n\r\n");
            return out.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
