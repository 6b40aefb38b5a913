package dev.engram.journal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketPermission;
import java.net.URLPermission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link NoNetworkTest}: installs a {@link NetworkAttemptRecorder} as the security manager
 * (the JVM must run with {@code -Djava.security.manager=allow}), then runs a journal workload (open, append
 * from two threads, sync, replay, close, reopen, replay, close) and writes every network attempt it saw to
 * a file, one per line. Everything this class prints on stdout is one line starting {@link #STDOUT_PREFIX}:
 * anything else on stdout came from a library.
 * <p>
 * Arguments: {@code mode directory attemptsFile}; mode {@code workload}, or {@code control}, which makes one
 * loopback connect and one DNS lookup (both refused by the recorder before any packet leaves) to prove the
 * recorder sees them.
 */
public final class NoNetworkChild
{
    static final String STDOUT_PREFIX = "no-network-child:";
    static final int DELTAS_PER_PRODUCER = 20_000;

    private NoNetworkChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final Path directory = Path.of(args[1]);
        final Path attemptsFile = Path.of(args[2]);
        final String analyticsBefore = System.getProperty(EngramSystemProperties.ANALYTICS_DISABLE);
        final String announcerBefore = System.getProperty(EngramSystemProperties.ANNOUNCER_DISABLE);
        final NetworkAttemptRecorder recorder = new NetworkAttemptRecorder();
        installSecurityManager(recorder);

        final String summary;
        if ("control".equals(mode))
        {
            summary = control();
        }
        else if ("workload".equals(mode))
        {
            summary = workload(directory, analyticsBefore, announcerBefore);
        }
        else
        {
            throw new IllegalArgumentException("mode must be workload or control: " + mode);
        }
        Files.write(attemptsFile, recorder.attempts(), StandardCharsets.UTF_8);
        System.out.println(STDOUT_PREFIX + " " + summary);
        System.out.flush();
    }

    @SuppressWarnings("removal")
    private static void installSecurityManager(final SecurityManager manager)
    {
        System.setSecurityManager(manager);
    }

    private static String workload(final Path directory, final String analyticsBefore, final String announcerBefore)
        throws InterruptedException
    {
        final String analyticsAfterOpen;
        final String announcerAfterOpen;
        final long lastVersion;
        try (Journal journal = Journal.open(new JournalContext().directory(directory).syncPolicy(SyncPolicy.PERIODIC)))
        {
            analyticsAfterOpen = System.getProperty(EngramSystemProperties.ANALYTICS_DISABLE);
            announcerAfterOpen = System.getProperty(EngramSystemProperties.ANNOUNCER_DISABLE);
            final Thread[] producers = new Thread[2];
            for (int p = 0; p < producers.length; p++)
            {
                final int producer = p;
                producers[p] = new Thread(() ->
                {
                    final CrashWorkload workload = new CrashWorkload(7);
                    final Delta delta = journal.newDelta();
                    for (long c = 0; c < DELTAS_PER_PRODUCER; c++)
                    {
                        journal.append(workload.fill(delta, 1, producer, c));
                    }
                }, "no-network-producer-" + p);
                producers[p].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            lastVersion = journal.lastAppendedVersion();
            if (!journal.awaitSynced(lastVersion, 30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("not synced in 30 s: version=" + lastVersion);
            }
            replayAll(journal, lastVersion);
        }
        try (Journal journal = Journal.open(new JournalContext().directory(directory)))
        {
            replayAll(journal, lastVersion);
        }
        return "versions=" + lastVersion + " analyticsBefore=" + analyticsBefore + " analyticsAfterOpen=" + analyticsAfterOpen +
            " announcerBefore=" + announcerBefore + " announcerAfterOpen=" + announcerAfterOpen;
    }

    private static void replayAll(final Journal journal, final long lastVersion)
    {
        try (JournalReader reader = journal.newReader())
        {
            final ReplayResult result = reader.replay(1, frame -> { });
            if (result.framesDelivered() != lastVersion || result.lastVersion() != lastVersion)
            {
                throw new IllegalStateException("replay delivered " + result + ", expected versions 1.." + lastVersion);
            }
        }
    }

    private static String control()
    {
        int refused = 0;
        try (Socket socket = new Socket("127.0.0.1", 9))
        {
            socket.getPort();
        }
        catch (final SecurityException ex)
        {
            refused++;
        }
        catch (final IOException ex)
        {
            // connecting was attempted and failed: the recorder saw it (the parent checks)
        }
        try
        {
            InetAddress.getByName("engram-no-network-control.invalid");
        }
        catch (final SecurityException ex)
        {
            refused++;
        }
        catch (final IOException ex)
        {
            // ditto
        }
        return "control refused=" + refused;
    }

    /**
     * A permissive security manager that records, and refuses, every network attempt: connects (DNS lookups
     * arrive as {@code checkConnect(host, -1)}), listens, accepts, multicast, and socket and URL permissions
     * checked directly. Everything else is allowed (including {@code NetPermission}, which class loading
     * checks for its own URL handlers).
     */
    @SuppressWarnings("removal")
    static final class NetworkAttemptRecorder extends SecurityManager
    {
        private final List<String> attempts = new ArrayList<>();

        synchronized List<String> attempts()
        {
            return new ArrayList<>(attempts);
        }

        private void record(final String what)
        {
            final String line = what + " thread=" + Thread.currentThread().getName();
            synchronized (this)
            {
                attempts.add(line);
            }
            final SecurityException refusal = new SecurityException("network attempt refused by NoNetworkChild: " + what);
            refusal.printStackTrace();
            throw refusal;
        }

        @Override
        public void checkPermission(final Permission perm)
        {
            if (perm instanceof SocketPermission || perm instanceof URLPermission)
            {
                record("checkPermission " + perm);
            }
        }

        @Override
        public void checkPermission(final Permission perm, final Object context)
        {
            checkPermission(perm);
        }

        @Override
        public void checkConnect(final String host, final int port)
        {
            record(port == -1 ? "resolve host=" + host : "connect host=" + host + " port=" + port);
        }

        @Override
        public void checkConnect(final String host, final int port, final Object context)
        {
            checkConnect(host, port);
        }

        @Override
        public void checkListen(final int port)
        {
            record("listen port=" + port);
        }

        @Override
        public void checkAccept(final String host, final int port)
        {
            record("accept host=" + host + " port=" + port);
        }

        @Override
        public void checkMulticast(final InetAddress address)
        {
            record("multicast address=" + address);
        }
    }
}
