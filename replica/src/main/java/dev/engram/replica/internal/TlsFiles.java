package dev.engram.replica.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Reads a node's TLS key material with the JDK only (docs/replication.md, "Security"): a private key and its
 * certificate chain from a PKCS#12 key store or from PEM files (an unencrypted PKCS#8 key, X.509 certificates), and
 * trusted certificates from a PKCS#12 trust store or a PEM file. Every failure is an {@link IllegalArgumentException}
 * naming the file, what is wrong and what to do.
 */
public final class TlsFiles
{
    private static final String PEM_KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_KEY_END = "-----END PRIVATE KEY-----";

    private TlsFiles()
    {
    }

    /**
     * A private key and its certificate chain (the key's certificate first).
     *
     * @param source the file(s) it came from, for messages.
     */
    public record KeyEntry(String source, PrivateKey key, List<X509Certificate> chain)
    {
    }

    /**
     * Trusted certificates.
     *
     * @param source the file they came from, for messages.
     */
    public record Trust(String source, List<X509Certificate> certificates)
    {
    }

    /**
     * @return the single private key entry of a PKCS#12 key store, with its certificate chain.
     */
    public static KeyEntry readKeyStore(final Path file, final char[] password)
    {
        final KeyStore store = loadPkcs12(file, password, "key store");
        try
        {
            final List<String> keyAliases = new ArrayList<>();
            for (final String alias : Collections.list(store.aliases()))
            {
                if (store.isKeyEntry(alias))
                {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.size() != 1)
            {
                throw new IllegalArgumentException("TLS key store " + file + " holds " + keyAliases.size() +
                    " private key entries " + keyAliases + ": it must hold exactly one, this node's key with its " +
                    "certificate chain (trusted certificates go to the trust store)");
            }
            final String alias = keyAliases.get(0);
            final PrivateKey key;
            try
            {
                key = (PrivateKey)store.getKey(alias, password);
            }
            catch (final UnrecoverableKeyException e)
            {
                throw new IllegalArgumentException("TLS key store " + file + ": the key '" + alias + "' cannot be read " +
                    "with the store's password (a key password different from the store's is not supported)", e);
            }
            final Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0)
            {
                throw new IllegalArgumentException("TLS key store " + file + ": the key '" + alias + "' has no " +
                    "certificate chain (import the CA's reply: keytool -importcert -alias " + alias + ")");
            }
            return new KeyEntry(file.toString(), key, x509(file, List.of(chain)));
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException("TLS key store " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * @return the key of a PEM PKCS#8 file with the certificate chain of a PEM file.
     */
    public static KeyEntry readPemKey(final Path keyFile, final Path chainFile)
    {
        final String text = new String(read(keyFile, "private key"), StandardCharsets.US_ASCII);
        final int begin = text.indexOf(PEM_KEY_BEGIN);
        final int end = text.indexOf(PEM_KEY_END);
        if (begin < 0 || end < begin)
        {
            final String hint;
            if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            {
                hint = "it is encrypted: give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) on a file only " +
                    "the node's user can read, or a PKCS#12 key store with a password (keyPkcs12)";
            }
            else if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----"))
            {
                hint = "it is a PKCS#1/SEC1 key: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)";
            }
            else
            {
                hint = "no '" + PEM_KEY_BEGIN + "' block (an unencrypted PKCS#8 key) found";
            }
            throw new IllegalArgumentException("TLS private key " + keyFile + " cannot be used: " + hint);
        }
        final byte[] der;
        try
        {
            der = Base64.getMimeDecoder().decode(text.substring(begin + PEM_KEY_BEGIN.length(), end));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("TLS private key " + keyFile + ": its PEM block is not valid base64: " +
                e.getMessage(), e);
        }
        final PrivateKey key = pkcs8(keyFile, der);
        final List<X509Certificate> chain = readCertificates(chainFile, "certificate chain");
        return new KeyEntry(keyFile + " + " + chainFile, key, chain);
    }

    /**
     * @return the trusted certificate entries of a PKCS#12 trust store.
     */
    public static Trust readTrustStore(final Path file, final char[] password)
    {
        final KeyStore store = loadPkcs12(file, password, "trust store");
        try
        {
            final List<Certificate> trusted = new ArrayList<>();
            for (final String alias : Collections.list(store.aliases()))
            {
                if (store.isCertificateEntry(alias))
                {
                    trusted.add(store.getCertificate(alias));
                }
            }
            if (trusted.isEmpty())
            {
                throw new IllegalArgumentException("TLS trust store " + file + " holds no trusted certificate entry " +
                    "(import the group's CA certificate: keytool -importcert -alias ca -file ca.pem -keystore " + file + ")");
            }
            return new Trust(file.toString(), x509(file, trusted));
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException("TLS trust store " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * @return the certificates of a PEM file.
     */
    public static Trust readPemTrust(final Path file)
    {
        return new Trust(file.toString(), readCertificates(file, "trusted certificates"));
    }

    private static List<X509Certificate> readCertificates(final Path file, final String what)
    {
        final byte[] bytes = read(file, what);
        final Collection<? extends Certificate> certificates;
        try (InputStream in = new ByteArrayInputStream(bytes))
        {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        catch (final CertificateException | IOException e)
        {
            throw new IllegalArgumentException("TLS " + what + " " + file + " is not a file of X.509 certificates " +
                "(PEM '-----BEGIN CERTIFICATE-----' blocks): " + e.getMessage(), e);
        }
        if (certificates.isEmpty())
        {
            throw new IllegalArgumentException("TLS " + what + " " + file + " holds no certificate " +
                "(PEM '-----BEGIN CERTIFICATE-----' blocks expected)");
        }
        return x509(file, new ArrayList<>(certificates));
    }

    private static KeyStore loadPkcs12(final Path file, final char[] password, final String what)
    {
        final byte[] bytes = read(file, what);
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
            return store;
        }
        catch (final IOException e)
        {
            if (e.getCause() instanceof UnrecoverableKeyException)
            {
                throw new IllegalArgumentException("TLS " + what + " " + file + " cannot be opened with the given " +
                    "password", e);
            }
            throw new IllegalArgumentException("TLS " + what + " " + file + " is not a PKCS#12 file: " + e.getMessage(), e);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException("TLS " + what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] read(final Path file, final String what)
    {
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException("TLS " + what + " " + file + (Files.exists(file) ? " is not a file" :
                " does not exist") + " (ReplicaSettings.tls)");
        }
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException("TLS " + what + " " + file + " cannot be read: " + e, e);
        }
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der)
    {
        final List<String> tried = List.of("RSA", "EC");
        for (final String algorithm : tried)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
            catch (final InvalidKeySpecException e)
            {
                // not this algorithm: try the next
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalArgumentException("TLS private key " + file + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("TLS private key " + file + " is not a PKCS#8 " + tried + " key");
    }

    private static List<X509Certificate> x509(final Path file, final List<? extends Certificate> certificates)
    {
        final List<X509Certificate> x509 = new ArrayList<>(certificates.size());
        for (final Certificate certificate : certificates)
        {
            if (!(certificate instanceof X509Certificate c))
            {
                throw new IllegalArgumentException("TLS file " + file + " holds a " + certificate.getType() +
                    " certificate: X.509 expected");
            }
            x509.add(c);
        }
        return List.copyOf(x509);
    }
}
