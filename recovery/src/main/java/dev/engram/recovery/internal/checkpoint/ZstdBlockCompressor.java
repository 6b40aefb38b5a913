package dev.engram.recovery.internal.checkpoint;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import java.nio.ByteBuffer;

/**
 * zstd for checkpoint blocks: one-shot for ordinary blocks (at most the target block length), streaming
 * through a fixed output buffer for a block holding one entry larger than that, so memory never scales
 * with a value's length. Every block is one zstd frame. Single-threaded.
 */
final class ZstdBlockCompressor implements AutoCloseable
{
    private static final int STREAM_OUTPUT_LENGTH = 1 << 20;

    private final ZstdCompressCtx ctx = new ZstdCompressCtx();
    private final ByteBuffer blockOutput;
    private final ByteBuffer streamOutput = ByteBuffer.allocateDirect(STREAM_OUTPUT_LENGTH);

    ZstdBlockCompressor(final int level, final int targetBlockLength)
    {
        ctx.setLevel(level);
        blockOutput = ByteBuffer.allocateDirect((int)Zstd.compressBound(targetBlockLength));
    }

    /**
     * Compress {@code [0, length)} of {@code raw} (a direct buffer) in one go.
     *
     * @return the buffer holding the frame in {@code [0, returned limit)}, or null when the frame would not
     * be smaller than the input (the caller stores the block raw).
     */
    ByteBuffer compressBlock(final ByteBuffer raw, final int length)
    {
        blockOutput.clear();
        final int size = ctx.compressDirectByteBuffer(blockOutput, 0, blockOutput.capacity(), raw, 0, length);
        if (size >= length)
        {
            return null;
        }
        blockOutput.clear().limit(size);
        return blockOutput;
    }

    /**
     * Feed raw bytes of a streamed block; compressed output goes to {@code out} as it fills.
     *
     * @param src direct buffer, consumed.
     * @param out where stored bytes go.
     */
    void streamChunk(final ByteBuffer src, final CheckpointOutput out)
    {
        while (src.hasRemaining())
        {
            ctx.compressDirectByteBufferStream(streamOutput, src, EndDirective.CONTINUE);
            if (!streamOutput.hasRemaining())
            {
                drain(out);
            }
        }
    }

    /**
     * End the streamed block's frame and write what is left of it.
     *
     * @param out where stored bytes go.
     */
    void endStream(final CheckpointOutput out)
    {
        final ByteBuffer empty = ByteBuffer.allocateDirect(0);
        boolean done;
        do
        {
            done = ctx.compressDirectByteBufferStream(streamOutput, empty, EndDirective.END);
            drain(out);
        }
        while (!done);
    }

    private void drain(final CheckpointOutput out)
    {
        streamOutput.flip();
        out.write(streamOutput);
        streamOutput.clear();
    }

    @Override
    public void close()
    {
        ctx.close();
    }
}
