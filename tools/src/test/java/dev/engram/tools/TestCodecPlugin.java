package dev.engram.tools;

import dev.engram.engine.Codec;
import dev.engram.engine.CodecRegistry;
import dev.engram.engine.Migration;
import dev.engram.engine.MigrationRegistry;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A CodecPlugin as an application would ship it (found by ServiceLoader through
 * META-INF/services/dev.engram.tools.CodecPlugin): codec id 1000, a String at schema version 2, whose version 1 was
 * lower case (the migration 1 -> 2 upper-cases it).
 */
public final class TestCodecPlugin implements CodecPlugin
{
    static final int CODEC_ID = 1000;

    /** The application's type. */
    public record Shout(String text)
    {
    }

    static final class ShoutCodec implements Codec<Shout>
    {
        @Override
        public int id()
        {
            return CODEC_ID;
        }

        @Override
        public String name()
        {
            return "shout";
        }

        @Override
        public Class<Shout> type()
        {
            return Shout.class;
        }

        @Override
        public int currentSchemaVersion()
        {
            return 2;
        }

        @Override
        public int encode(final Shout value, final MutableDirectBuffer buffer, final int offset)
        {
            final byte[] bytes = value.text().getBytes(StandardCharsets.UTF_8);
            buffer.putBytes(offset, bytes);
            return bytes.length;
        }

        @Override
        public Shout decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return new Shout(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void register(final CodecRegistry codecs, final MigrationRegistry migrations)
    {
        codecs.register(new ShoutCodec());
        migrations.register(Migration.ofBytes(CODEC_ID, 1,
            bytes -> new String(bytes, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
    }
}
