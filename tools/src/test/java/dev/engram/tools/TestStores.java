package dev.engram.tools;

import dev.engram.engine.CodecRegistry;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.engine.MigrationRegistry;
import dev.engram.engine.TypedValues;
import dev.engram.engine.ValueEnvelope;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stores the CLI tests read, built with the engine: a full checkpoint, two delta checkpoints on it, a journal tail
 * after them, tags, a typed value, a raw binary value and a value at an old schema version.
 */
final class TestStores
{
    /** Versions of the reference store. */
    static final long FULL_VERSION = 100;
    static final long FIRST_DELTA_VERSION = 105;
    static final long SECOND_DELTA_VERSION = 111;
    static final long LAST_VERSION = 117;

    private TestStores()
    {
    }

    /**
     * @return the engine's defaults, with small journal blocks (1 MiB cycle-file growth instead of 64 MiB) so that
     * fingerprinting every file stays cheap; the CLI's writing commands reopen such a store with the defaults.
     */
    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext();
        ctx.journal().maxDeltaLength(256 << 10).chronicleBlockSize(1 << 20);
        return ctx;
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Build the reference store in {@code dir} and close it cleanly.
     */
    static void build(final Path dir) throws Exception
    {
        try (Engram engram = Engram.open(dir, context()))
        {
            fill(engram);
        }
    }

    /**
     * Fill an open engine with the reference content (versions 1..{@link #LAST_VERSION}).
     */
    static void fill(final Engram engram)
    {
        long v = 0;
        for (int i = 0; i < 100; i++)
        {
            v = engram.delta().put("k/" + i, utf8("value-" + i + "-v1")).commit();
        }
        checkpoint(engram, v, FULL_VERSION);
        for (int i = 0; i < 5; i++)
        {
            v = engram.delta().put("k/" + i, utf8("value-" + i + "-v2")).commit();
        }
        checkpoint(engram, v, FIRST_DELTA_VERSION);
        engram.tag("after-first-delta", FIRST_DELTA_VERSION);
        for (int i = 5; i < 10; i++)
        {
            v = engram.delta().put("k/" + i, utf8("value-" + i + "-v3")).commit();
        }
        v = engram.delta().delete("k/99").commit();
        checkpoint(engram, v, SECOND_DELTA_VERSION);
        // the tail: after the newest checkpoint
        engram.delta().put("k/0", utf8("value-0-v4")).commit();
        engram.delta().put("typed", new TypedValues(new CodecRegistry(), new MigrationRegistry())
            .encodeToBytes("hello typed")).commit();
        final byte[] binary = new byte[16];
        for (int i = 0; i < binary.length; i++)
        {
            binary[i] = (byte)i;
        }
        engram.delta().put("binary", binary).commit();
        engram.delta().put("shout", oldShout("quiet please")).commit();
        engram.delta().patch("k/1", 0, utf8("V")).commit();
        v = engram.delta().delete("k/2").commit();
        if (v != LAST_VERSION)
        {
            throw new IllegalStateException("reference store ends at version " + v);
        }
        await(engram, v);
        engram.tag("head", LAST_VERSION);
    }

    /**
     * @return a value of the test plugin's codec at its old schema version 1.
     */
    static byte[] oldShout(final String text)
    {
        final byte[] payload = utf8(text);
        final byte[] value = new byte[8 + payload.length];
        ValueEnvelope.putHeader(new UnsafeBuffer(value), 0, TestCodecPlugin.CODEC_ID, 1);
        System.arraycopy(payload, 0, value, 8, payload.length);
        return value;
    }

    private static void checkpoint(final Engram engram, final long version, final long expected)
    {
        if (version != expected)
        {
            throw new IllegalStateException("expected version " + expected + " found " + version);
        }
        await(engram, version);
        final long at = engram.checkpoint().stateVersion();
        if (at != expected)
        {
            throw new IllegalStateException("checkpoint at " + at + " expected " + expected);
        }
    }

    private static void await(final Engram engram, final long version)
    {
        if (!engram.awaitApplied(version, 60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("version " + version + " not applied within 60 s");
        }
    }

    static void copy(final Path from, final Path to)
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return every file and directory under {@code dir}: relative path → size, mtime and SHA-256 of the content.
     */
    static TreeMap<String, String> fingerprint(final Path dir)
    {
        final TreeMap<String, String> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = dir.relativize(file).toString();
                if (Files.isDirectory(file))
                {
                    result.put(name + "/", "dir mtime=" + Files.getLastModifiedTime(file));
                    continue;
                }
                final MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(Files.readAllBytes(file));
                result.put(name, "size=" + Files.size(file) + " mtime=" + Files.getLastModifiedTime(file) +
                    " sha256=" + HexFormat.of().formatHex(sha.digest()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        return result;
    }
}
