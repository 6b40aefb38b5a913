package dev.engram.replica;

import dev.engram.replica.internal.TlsFiles;
import dev.engram.replica.internal.TlsMaterial;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS for a node's Raft transport (docs/replication.md, "Security"): this node's private key and certificate
 * chain, and the certificates it trusts (the group's CA). Set on {@link ReplicaSettings#tls}; every node of the group
 * then talks TLS only, presents its own certificate and accepts only peers whose certificate chains to a trusted one,
 * in both directions, so a node without such a certificate (or a plaintext node) cannot vote, lead, take entries,
 * serve the group's reads or change its members. Ratis' own gRPC TLS does the transport; this names the files.
 * <pre>{@code
 * ReplicaTls tls = new ReplicaTls()
 *     .keyPkcs12(Path.of("node-a.p12"), password)     // or .keyPem(Path.of("node-a.key"), Path.of("node-a.crt"))
 *     .trustPem(Path.of("group-ca.pem"));               // or .trustPkcs12(Path.of("group-trust.p12"), password)
 * settings.tls(tls);
 * }</pre>
 * The files are read and checked when the node opens, before anything starts: a missing or unreadable file, a wrong
 * password, a key that does not match its certificate, a certificate its own trust does not accept (expired, another
 * CA, without the client or server use) or that does not name the host of the node's address is an
 * {@link IllegalArgumentException} naming the file. Passwords are copied and kept for the next open; the
 * files are read again at each open.
 */
public final class ReplicaTls
{
    private Path keyStore;
    private char[] keyStorePassword;
    private Path privateKeyPem;
    private Path certificateChainPem;
    private Path trustStore;
    private char[] trustStorePassword;
    private Path trustPem;

    /**
     * This node's private key and certificate chain from a PKCS#12 key store holding exactly one private key entry
     * (its certificate first, then the CAs that issued it; the store's trusted certificate entries are ignored here).
     *
     * @param keyStore the PKCS#12 file.
     * @param password the store's password (also the key's).
     * @return this.
     */
    public ReplicaTls keyPkcs12(final Path keyStore, final char[] password)
    {
        this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
        this.keyStorePassword = Objects.requireNonNull(password, "password").clone();
        this.privateKeyPem = null;
        this.certificateChainPem = null;
        return this;
    }

    /**
     * This node's private key and certificate chain from PEM files.
     *
     * @param privateKey       an unencrypted PKCS#8 key ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC).
     * @param certificateChain the node's certificate, then the CAs that issued it, if any
     *                         ({@code -----BEGIN CERTIFICATE-----} blocks).
     * @return this.
     */
    public ReplicaTls keyPem(final Path privateKey, final Path certificateChain)
    {
        this.privateKeyPem = Objects.requireNonNull(privateKey, "privateKey");
        this.certificateChainPem = Objects.requireNonNull(certificateChain, "certificateChain");
        this.keyStore = null;
        this.keyStorePassword = null;
        return this;
    }

    /**
     * The certificates this node trusts (the group's CA, or several during a change of CA), from a PKCS#12 trust
     * store: its trusted certificate entries ({@code keytool -importcert}); key entries are ignored.
     *
     * @param trustStore the PKCS#12 file.
     * @param password   its password.
     * @return this.
     */
    public ReplicaTls trustPkcs12(final Path trustStore, final char[] password)
    {
        this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
        this.trustStorePassword = Objects.requireNonNull(password, "password").clone();
        this.trustPem = null;
        return this;
    }

    /**
     * The certificates this node trusts, from a PEM file of one or more {@code -----BEGIN CERTIFICATE-----} blocks.
     *
     * @param certificates the PEM file.
     * @return this.
     */
    public ReplicaTls trustPem(final Path certificates)
    {
        this.trustPem = Objects.requireNonNull(certificates, "certificates");
        this.trustStore = null;
        this.trustStorePassword = null;
        return this;
    }

    /** @return the PKCS#12 key store, or null. */
    public Path keyStore()
    {
        return keyStore;
    }

    /** @return the PEM private key, or null. */
    public Path privateKeyPem()
    {
        return privateKeyPem;
    }

    /** @return the PEM certificate chain, or null. */
    public Path certificateChainPem()
    {
        return certificateChainPem;
    }

    /** @return the PKCS#12 trust store, or null. */
    public Path trustStore()
    {
        return trustStore;
    }

    /** @return the PEM trusted certificates, or null. */
    public Path trustPem()
    {
        return trustPem;
    }

    /**
     * Read and check the files (docs/replication.md, "Security").
     *
     * @param nodeId this node's id (for messages).
     * @param host   the host of this node's address, which its certificate must name.
     * @throws IllegalArgumentException naming the file and what is wrong with it.
     */
    TlsMaterial load(final String nodeId, final String host)
    {
        if (keyStore == null && privateKeyPem == null)
        {
            throw new IllegalArgumentException("node " + nodeId + ": TLS needs this node's key: keyPkcs12(file, " +
                "password) or keyPem(keyFile, certificateChainFile)");
        }
        if (trustStore == null && trustPem == null)
        {
            throw new IllegalArgumentException("node " + nodeId + ": TLS needs the certificates the node trusts: " +
                "trustPem(file) or trustPkcs12(file, password)");
        }
        final TlsFiles.KeyEntry key;
        final TlsFiles.Trust trust;
        try
        {
            key = keyStore != null ? TlsFiles.readKeyStore(keyStore, keyStorePassword) :
                TlsFiles.readPemKey(privateKeyPem, certificateChainPem);
            trust = trustStore != null ? TlsFiles.readTrustStore(trustStore, trustStorePassword) :
                TlsFiles.readPemTrust(trustPem);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("node " + nodeId + ": " + e.getMessage(), e.getCause());
        }
        return TlsMaterial.of(nodeId, host, key, trust);
    }

    @Override
    public String toString()
    {
        return "ReplicaTls{key=" + (keyStore != null ? keyStore + " (PKCS#12)" : privateKeyPem + " + " + certificateChainPem) +
            ", trust=" + (trustStore != null ? trustStore + " (PKCS#12)" : trustPem) + "}";
    }
}
