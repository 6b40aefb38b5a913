package dev.engram.replica;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made at test time with the JDK only: the JDK's own {@code keytool} (from {@code java.home}) makes
 * CAs and node keys and signs the nodes' certificates into a directory; the PEM forms are written from the PKCS#12
 * files with {@link KeyStore}. Nothing private is committed. EC P-256 keys, valid for 2 days.
 */
final class TestPki
{
    static final char[] PASSWORD = "test-only-password".toCharArray();
    private static final String VALIDITY_DAYS = "2";

    private final Path dir;

    TestPki(final Path dir)
    {
        this.dir = dir;
    }

    /** The files of one node's key: PKCS#12 (key and chain) and PEM (PKCS#8 key, chain). */
    record NodeKey(Path pkcs12, Path keyPem, Path chainPem)
    {
    }

    /** Make a CA {@code name}: {@code name-ca.p12} (its key), {@code name-ca.pem} and {@code name-trust.p12} (its certificate). */
    void ca(final String name) throws IOException
    {
        final Path store = dir.resolve(name + "-ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name + " CA",
            "-ext", "bc:c", "-validity", VALIDITY_DAYS, "-keystore", store.toString());
        keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", store.toString(), "-file", caPem(name).toString());
        keytool("-importcert", "-alias", "ca", "-noprompt", "-file", caPem(name).toString(), "-keystore",
            trustStore(name).toString());
    }

    Path caPem(final String ca)
    {
        return dir.resolve(ca + "-ca.pem");
    }

    Path trustStore(final String ca)
    {
        return dir.resolve(ca + "-trust.p12");
    }

    /**
     * Make node {@code node}'s key and a certificate issued by CA {@code ca}, for the TLS client and server uses.
     *
     * @param san the subject alternative name, keytool's form (ip:127.0.0.1).
     */
    NodeKey node(final String ca, final String node, final String san) throws IOException
    {
        final Path store = dir.resolve(node + ".p12");
        final Path request = dir.resolve(node + ".csr");
        final Path certificate = dir.resolve(node + ".cert.pem");
        final Path chain = dir.resolve(node + ".chain.pem");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
            "-validity", VALIDITY_DAYS, "-keystore", store.toString());
        keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", dir.resolve(ca + "-ca.p12").toString(), "-infile",
            request.toString(), "-outfile", certificate.toString(), "-rfc", "-validity", VALIDITY_DAYS,
            "-ext", "san=" + san, "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth");
        // the CA's reply with the CA's certificate after it: keytool installs it as the key's chain
        Files.writeString(chain, Files.readString(certificate) + Files.readString(caPem(ca)));
        keytool("-importcert", "-alias", "node", "-noprompt", "-file", chain.toString(), "-keystore", store.toString());
        final Path keyPem = dir.resolve(node + ".key.pem");
        writePem(store, keyPem, chain);
        return new NodeKey(store, keyPem, chain);
    }

    /** A PKCS#12 trust store with the certificates of several CAs. */
    Path trustStoreOf(final String name, final String... cas) throws IOException
    {
        final Path store = dir.resolve(name + "-trust.p12");
        for (final String ca : cas)
        {
            keytool("-importcert", "-alias", ca, "-noprompt", "-file", caPem(ca).toString(), "-keystore", store.toString());
        }
        return store;
    }

    /** The key of a PKCS#12 store as a PEM PKCS#8 file (and its chain, re-read from the store). */
    private static void writePem(final Path store, final Path keyPem, final Path chainPem) throws IOException
    {
        try (java.io.InputStream in = Files.newInputStream(store))
        {
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD);
            final Key key = keyStore.getKey("node", PASSWORD);
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            final StringBuilder chain = new StringBuilder();
            for (final Certificate certificate : keyStore.getCertificateChain("node"))
            {
                chain.append(pem("CERTIFICATE", certificate.getEncoded()));
            }
            Files.writeString(chainPem, chain);
        }
        catch (final java.security.GeneralSecurityException e)
        {
            throw new IOException("cannot write the PEM form of " + store + ": " + e, e);
        }
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }

    private void keytool(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // a short-lived JVM: C1 only and the serial collector start it about twice as fast
        command.add("-J-XX:TieredStopAtLevel=1");
        command.add("-J-XX:+UseSerialGC");
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output;
        try
        {
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("keytool did not finish in 120 s: " + command);
            }
        }
        catch (final InterruptedException e)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for keytool", e);
        }
        if (process.exitValue() != 0)
        {
            throw new IOException("keytool failed (exit " + process.exitValue() + "): " + command + "\n" + output);
        }
    }
}
