package dev.engram.harness.latency;

import dev.engram.bench.AppendPayload;
import dev.engram.bench.RawChronicleQueue;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The raw baseline: the caller's thread appends the same {@value AppendPayload#FRAME_LENGTH} bytes to a
 * Chronicle Queue itself, one appender per thread. Verification reads the queue back and counts excerpts
 * of the right length.
 */
final class ChronicleAppendTarget implements AppendTarget
{
    /**
     * The two ways to append bytes as one excerpt.
     */
    enum Api
    {
        /** {@code appender.writeBytes(BytesStore)}. */
        WRITE_BYTES("writeBytes"),
        /** {@code try (DocumentContext dc = appender.writingDocument()) { dc.wire().bytes().write(...); }}. */
        WRITING_DOCUMENT("writingDocument");

        final String label;

        Api(final String label)
        {
            this.label = label;
        }

        String targetName()
        {
            return "raw Chronicle " + label;
        }
    }

    private final SingleChronicleQueue queue;
    private final Api api;

    private final int frameLength;

    ChronicleAppendTarget(final Path directory, final Api api)
    {
        this(directory, api, AppendPayload.FRAME_LENGTH);
    }

    ChronicleAppendTarget(final Path directory, final Api api, final int frameLength)
    {
        this.queue = RawChronicleQueue.open(directory);
        this.api = api;
        this.frameLength = frameLength;
    }

    @Override
    public String name()
    {
        return api.targetName();
    }

    @Override
    public ProducerAppender newProducerAppender()
    {
        final ExcerptAppender appender = queue.createAppender();
        final byte[] bytes = AppendPayload.rawBytes(frameLength);
        final BytesStore<?, byte[]> store = BytesStore.wrap(bytes);
        if (api == Api.WRITE_BYTES)
        {
            return new ProducerAppender()
            {
                @Override
                public long append()
                {
                    appender.writeBytes(store);
                    return 0;
                }

                @Override
                public void close()
                {
                    appender.close();
                }
            };
        }
        return new ProducerAppender()
        {
            @Override
            public long append()
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(bytes, 0, bytes.length);
                }
                return 0;
            }

            @Override
            public void close()
            {
                appender.close();
            }
        };
    }

    @Override
    public long awaitWrittenNs(final long lastId, final long timeoutNs)
    {
        return 0;
    }

    @Override
    public SelfCheck verify(final long appends, final long lastId)
    {
        long excerpts = 0;
        long wrongLength = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    if (dc.wire().bytes().readRemaining() != frameLength)
                    {
                        wrongLength++;
                    }
                    excerpts++;
                }
            }
        }
        return SelfCheck.of(excerpts == appends && wrongLength == 0, String.format(
            "appends=%d excerptsRead=%d ofWrongLength=%d", appends, excerpts, wrongLength));
    }

    @Override
    public long backPressureEvents()
    {
        return 0;
    }

    @Override
    public long ringOccupancy()
    {
        return 0;
    }

    @Override
    public long writerThreadId()
    {
        return -1;
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
