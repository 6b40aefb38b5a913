package dev.engram.replica.internal;

import org.apache.ratis.grpc.GrpcTlsConfig;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A node's checked TLS material and the Ratis gRPC TLS configuration made of it (docs/replication.md, "Security"):
 * mutual TLS with this node's key and chain as both server and client, and a trust manager that accepts chains to
 * the trusted certificates. Checked before anything starts, each failure an {@link IllegalArgumentException} naming
 * the file: the key matches the chain's first certificate; the node's own trust accepts its chain as a client and as
 * a server certificate (so the group, with the same trust, will: not expired, issued by a trusted CA, key usages
 * allowing both roles); the certificate names the host of the node's address (peers check it at each connection).
 */
public final class TlsMaterial
{
    private static final char[] IN_MEMORY_PASSWORD = "engram".toCharArray();
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private final X509Certificate certificate;
    private final KeyManager keyManager;
    private final X509TrustManager trustManager;
    private final String name;

    private TlsMaterial(final String name, final X509Certificate certificate, final KeyManager keyManager,
        final X509TrustManager trustManager)
    {
        this.name = name;
        this.certificate = certificate;
        this.keyManager = keyManager;
        this.trustManager = trustManager;
    }

    /**
     * @param nodeId this node's id (for messages).
     * @param host   the host of this node's address, which its certificate must name.
     * @throws IllegalArgumentException naming the file and the check that failed.
     */
    public static TlsMaterial of(final String nodeId, final String host, final TlsFiles.KeyEntry key,
        final TlsFiles.Trust trust)
    {
        final X509Certificate leaf = key.chain().get(0);
        checkKeyMatches(nodeId, key, leaf);
        final X509TrustManager trustManager = trustManager(trust);
        final X509Certificate[] chain = key.chain().toArray(new X509Certificate[0]);
        try
        {
            trustManager.checkClientTrusted(chain, "UNKNOWN");
            trustManager.checkServerTrusted(chain, "UNKNOWN");
        }
        catch (final CertificateException e)
        {
            throw new IllegalArgumentException("node " + nodeId + ": its certificate " + leaf.getSubjectX500Principal() +
                " (" + key.source() + ") is not accepted by its own trust (" + trust.source() + ") as a TLS client and " +
                "server certificate: " + e.getMessage() + ". The group's nodes, trusting the same CA, would refuse it: " +
                "give a certificate issued by a trusted CA, valid now, usable for clientAuth and serverAuth", e);
        }
        checkNamesHost(nodeId, host, key, leaf);
        return new TlsMaterial("engram-" + nodeId, leaf, keyManager(key), trustManager);
    }

    /** @return the certificate this node presents. */
    public X509Certificate certificate()
    {
        return certificate;
    }

    /** @return Ratis' gRPC TLS configuration: this key and trust, mutual TLS, for the server, admin and client services and the node's own connections. */
    public GrpcTlsConfig grpcConfig()
    {
        return GrpcTlsConfig.newBuilder().setName(name).setKeyManager(keyManager).setTrustManager(trustManager)
            .setMutualTls(true).build();
    }

    private static void checkKeyMatches(final String nodeId, final TlsFiles.KeyEntry key, final X509Certificate leaf)
    {
        final String algorithm = switch (key.key().getAlgorithm())
        {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null)
        {
            return;   // the handshake checks it; no JDK signature to try here
        }
        try
        {
            final byte[] probe = ("engram tls key check " + nodeId).getBytes(StandardCharsets.UTF_8);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key.key());
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature))
            {
                return;
            }
        }
        catch (final GeneralSecurityException e)
        {
            // a key of another type than the certificate's: does not match
        }
        throw new IllegalArgumentException("node " + nodeId + ": the private key (" + key.source() + ") does not " +
            "match its certificate " + leaf.getSubjectX500Principal() + " (the first of the chain must be the key's own)");
    }

    private static void checkNamesHost(final String nodeId, final String host, final TlsFiles.KeyEntry key,
        final X509Certificate leaf)
    {
        final List<String> dns = new ArrayList<>();
        final List<String> ips = new ArrayList<>();
        try
        {
            final Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null)
            {
                for (final List<?> name : names)
                {
                    final int type = (Integer)name.get(0);
                    if (type == SAN_DNS)
                    {
                        dns.add((String)name.get(1));
                    }
                    else if (type == SAN_IP)
                    {
                        ips.add((String)name.get(1));
                    }
                }
            }
        }
        catch (final CertificateParsingException e)
        {
            throw new IllegalArgumentException("node " + nodeId + ": the subject alternative names of its certificate " +
                "(" + key.source() + ") cannot be read: " + e.getMessage(), e);
        }
        final boolean named = isIpLiteral(host) ? ips.stream().anyMatch(ip -> sameIp(ip, host)) :
            dns.isEmpty() ? dnsMatches(commonName(leaf), host) : dns.stream().anyMatch(d -> dnsMatches(d, host));
        if (!named)
        {
            throw new IllegalArgumentException("node " + nodeId + ": its certificate " + leaf.getSubjectX500Principal() +
                " (" + key.source() + ") does not name the host " + host + " of its address (DNS names " + dns +
                ", IP addresses " + ips + "); the other nodes check that name at each connection and would refuse " +
                "it: issue it with a subject alternative name for " + host + " (keytool -ext san=" +
                (isIpLiteral(host) ? "ip:" : "dns:") + host + ")");
        }
    }

    private static boolean isIpLiteral(final String host)
    {
        return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.indexOf(':') >= 0;
    }

    private static boolean sameIp(final String a, final String b)
    {
        try
        {
            // literals only (checked above): no name lookup
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        }
        catch (final UnknownHostException e)
        {
            return false;
        }
    }

    /** Exact, or a wildcard in the leftmost label (accepted here if the other labels match; the handshake decides). */
    private static boolean dnsMatches(final String pattern, final String host)
    {
        if (pattern == null)
        {
            return false;
        }
        final String p = pattern.toLowerCase(Locale.ROOT);
        final String h = host.toLowerCase(Locale.ROOT);
        if (p.equals(h))
        {
            return true;
        }
        final int pDot = p.indexOf('.');
        final int hDot = h.indexOf('.');
        return pDot > 0 && hDot > 0 && p.substring(0, pDot).contains("*") && p.substring(pDot).equals(h.substring(hDot));
    }

    private static String commonName(final X509Certificate certificate)
    {
        try
        {
            String cn = null;
            for (final Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns())
            {
                if ("CN".equalsIgnoreCase(rdn.getType()))
                {
                    cn = rdn.getValue().toString();   // the last (most specific) one, as the JDK's check takes
                }
            }
            return cn;
        }
        catch (final InvalidNameException e)
        {
            return null;
        }
    }

    private static X509TrustManager trustManager(final TlsFiles.Trust trust)
    {
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (final X509Certificate certificate : trust.certificates())
            {
                store.setCertificateEntry("trusted-" + i++, certificate);
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (final TrustManager manager : factory.getTrustManagers())
            {
                if (manager instanceof X509TrustManager x509)
                {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509TrustManager");
        }
        catch (final GeneralSecurityException | java.io.IOException e)
        {
            throw new IllegalArgumentException("TLS trusted certificates (" + trust.source() + ") cannot be used: " +
                e.getMessage(), e);
        }
    }

    private static KeyManager keyManager(final TlsFiles.KeyEntry key)
    {
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", key.key(), IN_MEMORY_PASSWORD, key.chain().toArray(new X509Certificate[0]));
            final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, IN_MEMORY_PASSWORD);
            return factory.getKeyManagers()[0];
        }
        catch (final GeneralSecurityException | java.io.IOException e)
        {
            throw new IllegalArgumentException("TLS key (" + key.source() + ") cannot be used: " + e.getMessage(), e);
        }
    }
}
