package dev.engram.replica;

import dev.engram.journal.Delta;
import dev.engram.replica.internal.TlsFiles;
import dev.engram.replica.internal.TlsMaterial;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import static dev.engram.replica.ReplicatedEngramTest.assertAcknowledgedPresent;
import static dev.engram.replica.ReplicatedEngramTest.assertIdentical;
import static dev.engram.replica.ReplicatedEngramTest.bytes;
import static dev.engram.replica.ReplicatedEngramTest.commitMany;
import static dev.engram.replica.ReplicatedEngramTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutual TLS on the group's transport (docs/replication.md, "Security"), 3 nodes in this JVM on 127.0.0.1, with
 * certificates made at test time by the JDK's keytool ({@link TestPki}): the group's CA issues n0, n1 and n2; another
 * CA issues an impostor's certificate. A TLS group elects, replicates, serves linearizable reads and fails over with
 * nothing lost, and answers only clients with a certificate of its CA; an impostor started at a member's address, with
 * an untrusted certificate or without TLS, never joins, leads, serves or changes the group; bad key material is
 * refused at open, naming the file, before anything starts.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicaTlsTest
{
    private static final String HOST_SAN = "ip:127.0.0.1";

    @TempDir
    static Path pkiDir;
    private static TestPki pki;
    private static final Map<String, TestPki.NodeKey> KEYS = new HashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificates() throws IOException
    {
        pki = new TestPki(pkiDir);
        pki.ca("group");
        pki.ca("other");
        for (final String node : List.of("n0", "n1", "n2"))
        {
            KEYS.put(node, pki.node("group", node, HOST_SAN));
        }
        KEYS.put("impostor", pki.node("other", "impostor", HOST_SAN));
        pki.trustStoreOf("both", "group", "other");
    }

    /** Each node its own key, in a different mix of formats: n0 all PEM, n1 all PKCS#12, n2 PKCS#12 key and PEM trust. */
    static ReplicaTls groupTls(final String node)
    {
        final TestPki.NodeKey key = KEYS.get(node);
        return switch (node)
        {
            case "n0" -> new ReplicaTls().keyPem(key.keyPem(), key.chainPem()).trustPem(pki.caPem("group"));
            case "n1" -> new ReplicaTls().keyPkcs12(key.pkcs12(), TestPki.PASSWORD)
                .trustPkcs12(pki.trustStore("group"), TestPki.PASSWORD);
            default -> new ReplicaTls().keyPkcs12(key.pkcs12(), TestPki.PASSWORD).trustPem(pki.caPem("group"));
        };
    }

    private static final UnaryOperator<ReplicaSettings> TLS = s -> s.tls(groupTls(s.nodeId()));

    @Test
    void aTlsGroupElectsReplicatesAndFailsOverWithNothingLost() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, TLS))
        {
            final Map<String, Long> acked = new HashMap<>();
            commitMany(group, "k/a/", 100, acked);
            final ReplicatedEngram old = group.awaitLeader();
            final long before = old.replicatedVersion();
            group.awaitReplicatedEverywhere(before);
            assertIdentical(group.running(), before);
            for (final ReplicatedEngram node : group.followers(old))
            {
                // ReadIndex: the follower asks the leader over the same TLS transport
                assertTrue(node.readBarrier(ReadConsistency.LINEARIZABLE) >= before, node.nodeId());
            }

            // the transport is TLS with client certificates: a client with a certificate of the group's CA is answered,
            // one with another CA's certificate and a plaintext one are not
            final Map<String, String> members = old.members();
            final GrpcTlsConfig trusted = TlsMaterial.of("probe", "127.0.0.1",
                TlsFiles.readKeyStore(KEYS.get("n0").pkcs12(), TestPki.PASSWORD), TlsFiles.readPemTrust(pki.caPem("group")))
                .grpcConfig();
            final GrpcTlsConfig untrusted = presenting(KEYS.get("impostor"));
            for (final String member : members.keySet())
            {
                assertTrue(readOnlyVersion(trusted, group, member) >= before, "a trusted client's read on " + member);
                // the same client as the untrusted one below, with a certificate of the group's CA: answered
                assertTrue(readOnlyVersion(presenting(KEYS.get("n2")), group, member) >= before, member);
                assertRefused(untrusted, group, member);
                assertRefused(null, group, member);
                // the client checks the server's certificate against the host it dials: the nodes' certificates name
                // 127.0.0.1 only, so the same node reached as localhost is refused by a trusted client
                final String port = group.address(member).substring(group.address(member).lastIndexOf(':') + 1);
                assertFails("a read-only request on " + member + " reached as localhost", trusted, member,
                    "localhost:" + port, group.groupId(),
                    client -> client.io().sendReadOnly(Message.valueOf("probe"), RaftPeerId.valueOf(member)));
            }

            // the leader stops with writes in flight: a new leader in a higher term, every acknowledged write kept
            final long termBefore = old.term();
            final Delta delta = old.newDelta();
            final Map<String, CompletableFuture<Long>> inFlight = new HashMap<>();
            for (int i = 0; i < 300; i++)
            {
                final String key = "k/b/" + i;
                inFlight.put(key, old.append(delta.clear().put(key, value(key)).put("last", bytes(key))));
            }
            group.stop(old.nodeId());
            for (final Map.Entry<String, CompletableFuture<Long>> write : inFlight.entrySet())
            {
                try
                {
                    acked.put(write.getKey(), write.getValue().get(ReplicaGroup.WAIT_SECONDS, TimeUnit.SECONDS));
                }
                catch (final ExecutionException e)
                {
                    assertTrue(e.getCause() instanceof ReplicationException, e.getCause().toString());
                }
            }
            final ReplicatedEngram successor = group.awaitLeader();
            assertNotEquals(old.nodeId(), successor.nodeId());
            assertTrue(successor.term() > termBefore, "a new term: " + successor.term() + " > " + termBefore);
            final long last = commitMany(group, "k/c/", 50, acked);
            group.awaitReplicatedEverywhere(last);
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);

            // the old leader restarts with its key and catches up over TLS
            group.start(old.nodeId());
            group.awaitReplicatedEverywhere(last);
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
        }
    }

    /** The leader's snapshot files travel to a follower behind the purged log over the TLS transport. */
    @Test
    void aFollowerBehindThePurgedLogInstallsTheLeadersSnapshotOverTls() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, s -> SnapshotInstallTest.tune(TLS.apply(s))))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = SnapshotInstallTest.commit(group, "k/a/", 50, acked);
            group.awaitReplicatedEverywhere(last);
            final String id = group.followers(group.awaitLeader()).get(0).nodeId();
            final long stoppedAt = group.node(id).lastAppliedIndex();
            group.stop(id);
            int round = 0;
            while (SnapshotInstallTest.minLogStart(group) <= stoppedAt + 1)
            {
                last = SnapshotInstallTest.commit(group, "k/b" + round++ + "/", 40, acked);
                assertTrue(round < 200, "the running nodes never purged their logs past index " + stoppedAt);
            }
            final ReplicatedEngram back = group.start(id);
            group.awaitReplicatedEverywhere(last);
            assertTrue(back.snapshotInstalls() >= 1, "node " + id + " rebuilt its Engram from the leader's snapshot");
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
        }
    }

    @Test
    void aNodeWithAnUntrustedCertificateAtAMembersAddressNeverJoinsLeadsServesOrChangesTheGroup() throws Exception
    {
        // it trusts the group's CA as well as its own, so only the group's check of its certificate keeps it out
        final TestPki.NodeKey impostor = KEYS.get("impostor");
        assertImpostorShutOut(s -> s.tls(new ReplicaTls().keyPkcs12(impostor.pkcs12(), TestPki.PASSWORD)
                .trustPkcs12(pki.trustStore("both"), TestPki.PASSWORD)),
            presenting(impostor));
    }

    @Test
    void aPlaintextNodeAtAMembersAddressNeverJoinsLeadsServesOrChangesTheGroup() throws Exception
    {
        assertImpostorShutOut(s -> s.tls(null), null);
    }

    /**
     * A follower of a TLS group stops and an impostor starts in its place: the same node id, address and group id,
     * on an empty directory (without TLS on the group, Ratis would take it for a replaced machine and send it the
     * group's state). It never learns of a leader, never leads, holds none of the state, refuses reads and writes;
     * its credentials cannot remove the group from a member or change the members. The group commits meanwhile on
     * its two others, and once the real node is back the three are identical.
     *
     * @param impostorSettings turns the member's settings into the impostor's (its TLS or none).
     * @param impostorTls      the impostor's credentials for a Ratis client of its own (null: plaintext).
     */
    private void assertImpostorShutOut(final UnaryOperator<ReplicaSettings> impostorSettings,
        final GrpcTlsConfig impostorTls) throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir.resolve("group"), 3, TLS))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = commitMany(group, "k/a/", 20, acked);
            group.awaitReplicatedEverywhere(last);
            final Map<String, String> members = group.awaitLeader().members();
            final String replaced = group.followers(group.awaitLeader()).get(0).nodeId();
            group.stop(replaced);

            final Duration electionMax = Duration.ofMillis(600);
            final ReplicaSettings settings = impostorSettings.apply(group.settings(replaced)
                .directory(dir.resolve("impostor")).requestTimeout(Duration.ofSeconds(3)));
            try (ReplicatedEngram impostor = ReplicatedEngram.open(settings))
            {
                // ten of its election timeouts, in which it campaigns again and again, while the group commits
                final long until = System.nanoTime() + 10 * electionMax.toNanos();
                int round = 0;
                while (System.nanoTime() < until)
                {
                    last = commitMany(group, "k/w" + round++ + "/", 5, acked);
                    assertFalse(impostor.isLeader(), "the impostor became leader");
                    assertNull(impostor.leaderId(), "the impostor learnt of a leader");
                    assertEquals(0, impostor.appliedVersion(), "the impostor applied a version");
                    for (final ReplicatedEngram node : group.running())
                    {
                        assertNotEquals(replaced, node.leaderId(), "a member follows the impostor");
                        assertEquals(members, node.members(), "members of " + node.nodeId());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                final ReplicaNotLeaderException write = assertThrows(ReplicaNotLeaderException.class,
                    () -> impostor.commit(impostor.newDelta().put("k/a/0", bytes("impostor"))));
                assertFalse(write.mayHaveCommitted());
                assertThrows(ReplicaNotLeaderException.class, () -> impostor.removeNode("n0".equals(replaced) ? "n1" : "n0"));
                assertThrows(ReplicaReadException.class, () -> impostor.readBarrier(ReadConsistency.LINEARIZABLE));
                assertThrows(ReplicaReadException.class, () -> impostor.readBarrier(ReadConsistency.BOUNDED_STALENESS));
                assertNull(impostor.get("last"), "the impostor holds none of the group's state");

                // its credentials, in a Ratis client of its own, reach no member: no read, no change of members, no
                // removal of the group from a server (Ratis' group management takes no credentials of its own)
                for (final ReplicatedEngram node : group.running())
                {
                    assertRefused(impostorTls, group, node.nodeId());
                    assertGroupManagementRefused(impostorTls, group, node.nodeId(), replaced);
                }
            }

            // the real node comes back: the group is as it was, three identical nodes, and goes on with the next version
            group.start(replaced);
            group.awaitReplicatedEverywhere(last);
            for (final ReplicatedEngram node : group.running())
            {
                assertEquals(members, node.members(), node.nodeId());
            }
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
            final long next = group.commit(group.awaitLeader().newDelta().put("k/z", value("k/z")).put("last", bytes("k/z")));
            assertEquals(last + 1, next);
            group.awaitReplicatedEverywhere(next);
            assertIdentical(group.running(), next);
        }
    }

    @Test
    void badKeyMaterialIsRefusedAtOpenNamingTheFileBeforeAnythingStarts() throws Exception
    {
        final TestPki.NodeKey n0 = KEYS.get("n0");
        final TestPki.NodeKey n1 = KEYS.get("n1");
        final Path missing = pkiDir.resolve("no-such-key.p12");
        final Path notPem = pkiDir.resolve("not-a-pem.txt");
        Files.writeString(notPem, "hello\n");
        final Path pkcs1 = pkiDir.resolve("pkcs1.key");
        Files.writeString(pkcs1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        final char[] wrong = "wrong".toCharArray();
        final char[] pw = TestPki.PASSWORD;
        final Path groupCa = pki.caPem("group");

        final Map<String, ReplicaTls> cases = new LinkedHashMap<>();
        cases.put(missing.toString(), new ReplicaTls().keyPkcs12(missing, pw).trustPem(groupCa));
        cases.put(n0.pkcs12() + " cannot be opened with the given password", new ReplicaTls().keyPkcs12(n0.pkcs12(), wrong).trustPem(groupCa));
        cases.put(pki.trustStore("group") + " cannot be opened with the given password",
            new ReplicaTls().keyPkcs12(n0.pkcs12(), pw).trustPkcs12(pki.trustStore("group"), wrong));
        cases.put(pkiDir.resolve("no-such-ca.pem") + " does not exist",
            new ReplicaTls().keyPkcs12(n0.pkcs12(), pw).trustPem(pkiDir.resolve("no-such-ca.pem")));
        cases.put(pkiDir.resolve("no-such.key") + " does not exist",
            new ReplicaTls().keyPem(pkiDir.resolve("no-such.key"), n0.chainPem()).trustPem(groupCa));
        cases.put(notPem + " cannot be used", new ReplicaTls().keyPem(notPem, n0.chainPem()).trustPem(groupCa));
        cases.put(pkcs1 + " cannot be used: it is a PKCS#1/SEC1 key",
            new ReplicaTls().keyPem(pkcs1, n0.chainPem()).trustPem(groupCa));
        cases.put("private key (" + n0.keyPem() + " + " + n1.chainPem() + ") does not match",
            new ReplicaTls().keyPem(n0.keyPem(), n1.chainPem()).trustPem(groupCa));
        cases.put(notPem + " is not a file of X.509 certificates",
            new ReplicaTls().keyPem(n0.keyPem(), n0.chainPem()).trustPem(notPem));
        // a trust store holding only a key entry, no trusted certificate
        cases.put(n1.pkcs12() + " holds no trusted certificate entry",
            new ReplicaTls().keyPkcs12(n0.pkcs12(), pw).trustPkcs12(n1.pkcs12(), pw));
        // another CA's trust: the group, with the same trust, would refuse this node
        cases.put("is not accepted by its own trust (" + pki.caPem("other") + ")",
            new ReplicaTls().keyPkcs12(n0.pkcs12(), pw).trustPem(pki.caPem("other")));
        cases.put("needs this node's key", new ReplicaTls().trustPem(groupCa));
        cases.put("needs the certificates the node trusts", new ReplicaTls().keyPkcs12(n0.pkcs12(), pw));

        for (final Map.Entry<String, ReplicaTls> c : cases.entrySet())
        {
            assertRefusedAtOpen(c.getValue(), "127.0.0.1", c.getKey());
        }
        // the certificate names 127.0.0.1 only: a node addressed by a host name would be refused by its peers
        assertRefusedAtOpen(groupTls("n0"), "localhost", "does not name the host localhost");
    }

    /** Open a node with {@code tls}: refused with a message holding {@code expected}; no directory, no port taken. */
    private void assertRefusedAtOpen(final ReplicaTls tls, final String host, final String expected) throws IOException
    {
        final Path nodeDir = dir.resolve("refused");
        final int port = ReplicaGroup.freePort();
        final ReplicaSettings settings = new ReplicaSettings().groupId(UUID.randomUUID()).nodeId("n0")
            .directory(nodeDir).peer("n0", host + ":" + port).peer("n1", "127.0.0.1:1").peer("n2", "127.0.0.1:2")
            .tls(tls);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ReplicatedEngram.open(settings).close(), expected);
        assertTrue(refused.getMessage().contains(expected), "message names '" + expected + "': " + refused.getMessage());
        assertFalse(Files.exists(nodeDir), "nothing was created before the TLS files were checked: " + nodeDir);
        try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
        {
            assertEquals(port, free.getLocalPort(), "the node's port is free");
        }
    }

    /**
     * A client configuration that presents {@code key}'s certificate whatever CAs the server asks for (a node's own key
     * manager offers no certificate the server's CA list does not name, so the server would see none at all), and
     * trusts the group's CA, so that only the server's check of the client's certificate can refuse it.
     */
    private static GrpcTlsConfig presenting(final TestPki.NodeKey key) throws Exception
    {
        final TlsFiles.KeyEntry entry = TlsFiles.readKeyStore(key.pkcs12(), TestPki.PASSWORD);
        final X509Certificate[] chain = entry.chain().toArray(new X509Certificate[0]);
        final KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("group", TlsFiles.readPemTrust(pki.caPem("group")).certificates().get(0));
        final TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trustStore);
        final X509ExtendedKeyManager always = new X509ExtendedKeyManager()
        {
            @Override
            public String[] getClientAliases(final String keyType, final Principal[] issuers)
            {
                return new String[] {"node"};
            }

            @Override
            public String chooseClientAlias(final String[] keyType, final Principal[] issuers, final Socket socket)
            {
                return "node";
            }

            @Override
            public String chooseEngineClientAlias(final String[] keyType, final Principal[] issuers, final SSLEngine engine)
            {
                return "node";
            }

            @Override
            public String[] getServerAliases(final String keyType, final Principal[] issuers)
            {
                return new String[] {"node"};
            }

            @Override
            public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket)
            {
                return "node";
            }

            @Override
            public String chooseEngineServerAlias(final String keyType, final Principal[] issuers, final SSLEngine engine)
            {
                return "node";
            }

            @Override
            public X509Certificate[] getCertificateChain(final String alias)
            {
                return chain.clone();
            }

            @Override
            public PrivateKey getPrivateKey(final String alias)
            {
                return entry.key();
            }
        };
        return GrpcTlsConfig.newBuilder().setKeyManager(always).setTrustManager(trust.getTrustManagers()[0])
            .setMutualTls(true).build();
    }

    private static RaftClient client(final GrpcTlsConfig tls, final String member, final String address,
        final UUID groupId)
    {
        final RaftPeer peer = RaftPeer.newBuilder().setId(member).setAddress(address).build();
        final Parameters parameters = new Parameters();
        if (tls != null)
        {
            GrpcConfigKeys.TLS.setConf(parameters, tls);
        }
        return RaftClient.newBuilder().setProperties(new RaftProperties()).setParameters(parameters)
            .setRaftGroup(RaftGroup.valueOf(RaftGroupId.valueOf(groupId), peer))
            .setLeaderId(RaftPeerId.valueOf(member)).setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    /** A read-only request (the state machine answers with its applied version) from a client with {@code tls}. */
    /**
     * A read-only request (the state machine answers with its applied version) from a client with {@code tls}. A
     * failure is retried until {@link ReplicaGroup#WAIT_SECONDS} (a first connection may fail on a loaded machine).
     */
    private static long readOnlyVersion(final GrpcTlsConfig tls, final ReplicaGroup group, final String member)
        throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReplicaGroup.WAIT_SECONDS);
        while (true)
        {
            try (RaftClient client = client(tls, member, group.address(member), group.groupId()))
            {
                final RaftClientReply reply = client.io().sendReadOnly(Message.valueOf("probe"), RaftPeerId.valueOf(member));
                if (reply.isSuccess())
                {
                    return reply.getMessage().getContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                }
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("read on " + member + ": " + reply);
                }
            }
            catch (final IOException e)
            {
                if (System.nanoTime() > deadline)
                {
                    throw e;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** A client with {@code tls} (null: plaintext) gets no answer from {@code member}: the connection is refused. */
    private static void assertRefused(final GrpcTlsConfig tls, final ReplicaGroup group, final String member)
        throws IOException
    {
        assertFails("a read-only request on " + member + (tls == null ? " in plaintext" : " with an untrusted certificate"),
            tls, group, member, client -> client.io().sendReadOnly(Message.valueOf("probe"), RaftPeerId.valueOf(member)));
    }

    /** Ratis' group management (remove the group from a server) and a change of members, sent with {@code tls}: refused. */
    private static void assertGroupManagementRefused(final GrpcTlsConfig tls, final ReplicaGroup group, final String member,
        final String replaced) throws IOException
    {
        assertFails("removing the group from " + member, tls, group, member, client ->
            client.getGroupManagementApi(RaftPeerId.valueOf(member)).remove(RaftGroupId.valueOf(group.groupId()), true, false));
        assertFails("a change of members on " + member, tls, group, member, client ->
            client.admin().setConfiguration(List.of(
                RaftPeer.newBuilder().setId(member).setAddress(group.address(member)).build(),
                RaftPeer.newBuilder().setId(replaced).setAddress(group.address(replaced)).build())));
    }

    private interface Call
    {
        RaftClientReply call(RaftClient client) throws IOException;
    }

    private static void assertFails(final String what, final GrpcTlsConfig tls, final ReplicaGroup group,
        final String member, final Call call) throws IOException
    {
        assertFails(what, tls, member, group.address(member), group.groupId(), call);
    }

    /**
     * {@code call} is never answered, and fails where the transport refuses it: with TLS, in the handshake (the server
     * refused the certificate, or the client the server's); in plaintext, with the connection closed by the TLS port
     * (gRPC's UNAVAILABLE). Another failure (a timeout on a loaded machine) proves nothing and is tried again until
     * {@link ReplicaGroup#WAIT_SECONDS}.
     */
    private static void assertFails(final String what, final GrpcTlsConfig tls, final String member,
        final String address, final UUID groupId, final Call call) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReplicaGroup.WAIT_SECONDS);
        while (true)
        {
            try (RaftClient client = client(tls, member, address, groupId))
            {
                final RaftClientReply reply;
                try
                {
                    reply = call.call(client);
                }
                catch (final IOException e)
                {
                    if (tls != null ? causedBy(e, SSLException.class) : unavailable(e))
                    {
                        return;
                    }
                    if (System.nanoTime() > deadline)
                    {
                        throw new AssertionError(what + " failed, but not where the transport refuses it: " + e, e);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    continue;
                }
                throw new AssertionError(what + " was answered: " + reply);
            }
        }
    }

    private static boolean unavailable(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.UNAVAILABLE)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean causedBy(final Throwable failure, final Class<? extends Throwable> type)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (type.isInstance(t))
            {
                return true;
            }
        }
        return false;
    }
}
