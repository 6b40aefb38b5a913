package dev.engram.journal;

import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;

import java.io.File;

/**
 * Reserves disk blocks for the part of a cycle file the journal thread is about to write through its mapping,
 * so that a full disk is an exception, not a SIGBUS.
 * <p>
 * Chronicle grows a cycle file sparsely ({@code setLength}) and writes it through a shared mapping: on a full
 * disk the first store into a page of a hole cannot get a block and the kernel kills the process with SIGBUS
 * (tmpfs faults even on reads). When the writer first writes into a mapped chunk of a cycle file, this
 * {@code fallocate}s that chunk and the next one ({@code FALLOC_FL_KEEP_SIZE}: the file's length is
 * Chronicle's business). Writes into a chunk therefore only ever touch blocks reserved while the previous
 * chunk was written; a reservation that fails for lack of space stops the writer with
 * {@link JournalDiskFullException} naming the file, the range and the free space, after the frame it was
 * writing (which lies in reserved blocks). One system call per chunk (64 MiB by default), none per frame.
 * The first chunk of a cycle file is reserved on its first write, so the few pages Chronicle writes to create
 * a file are the one window left. File systems without {@code fallocate} turn it off (reported once).
 * Owned by the journal thread.
 */
final class DiskReservation
{
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final int EOPNOTSUPP = 95;
    private static final int EINVAL = 22;

    private final CycleFiles cycleFiles;
    private int fd = -1;
    private int fdCycle = Integer.MIN_VALUE;
    private File fdFile;
    private long reservedUpTo;
    private boolean supported = true;

    DiskReservation(final CycleFiles cycleFiles)
    {
        this.cycleFiles = cycleFiles;
    }

    /**
     * The writer wrote into {@code chunk} of cycle {@code cycle} for the first time: reserve it and the next.
     *
     * @throws JournalDiskFullException if the disk has no room for them.
     */
    void onNewChunk(final int cycle, final MappedBytesStore chunk)
    {
        if (!supported)
        {
            return;
        }
        final long start = chunk.start();
        final long end = chunk.capacity();
        final long wanted = end + (end - start);
        if (cycle != fdCycle)
        {
            open(cycle);
        }
        if (fd < 0 || wanted <= reservedUpTo)
        {
            return;
        }
        final long from = Math.max(start, reservedUpTo);
        final PosixAPI posix = PosixAPI.posix();
        if (posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, wanted - from) != 0)
        {
            final int errno = posix.lastError();
            if (errno == EOPNOTSUPP || errno == EINVAL)
            {
                supported = false;
                System.err.println("engram journal: " + fdFile.getParent() + " does not support fallocate (errno=" + errno +
                    "): disk blocks are not reserved ahead of writes; a full disk may stop the process with SIGBUS");
                return;
            }
            if (errno == ENOSPC || errno == EDQUOT)
            {
                throw new JournalDiskFullException(fdFile, from, wanted - from, fdFile.getParentFile().getUsableSpace());
            }
            throw new JournalException("cannot reserve disk blocks in journal file=" + fdFile + " offset=" + from +
                " length=" + (wanted - from) + ": " + posix.strerror(errno) + " (errno=" + errno + ")");
        }
        reservedUpTo = wanted;
    }

    private void open(final int cycle)
    {
        close();
        fdCycle = cycle;
        reservedUpTo = 0;
        fdFile = cycleFiles.fileFor(cycle);
        fd = PosixAPI.posix().open(fdFile.getPath(), OpenFlag.O_RDWR.value(), 0);
    }

    void close()
    {
        if (fd >= 0)
        {
            PosixAPI.posix().close(fd);
            fd = -1;
        }
    }
}
