package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
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
 * <p>
 * When the writer moves on to a new cycle file, the part of the old file's reservation past its data (the rest of
 * the chunk and the whole next one: 160 MiB with the default block size, however little the cycle held) is given
 * back ({@code FALLOC_FL_PUNCH_HOLE}), from the page after the one holding the old file's last frame and end mark;
 * nothing reads or writes a finished cycle file past its end mark. Measured on ext4: a finished cycle file of 50
 * small frames went from 160 MiB allocated to 80.5 MiB — the blocks past the file's length are freed, those of the
 * first mapped chunk (80 MiB) stay allocated (not established why: something maps or fills that region again after
 * the punch). Best effort: a file system that cannot punch holes keeps the blocks until retention deletes the file.
 * Owned by the journal thread.
 */
final class DiskReservation
{
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final long PAGE = 4096;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final int EOPNOTSUPP = 95;
    private static final int EINVAL = 22;

    private final CycleFiles cycleFiles;
    private int fd = -1;
    private int fdCycle = Integer.MIN_VALUE;
    private File fdFile;
    private long reservedUpTo;
    private long dataEnd;   // end of the last frame written into fdCycle's file
    private long released;  // bytes given back from finished cycle files (for tests)
    private boolean supported = true;
    private boolean punchSupported = true;

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
            releaseUnused();
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

    /**
     * Writer thread, after each frame: the frame written into {@code cycle}'s file ends at {@code position}.
     */
    void noteWritten(final int cycle, final long position)
    {
        if (cycle == fdCycle && position > dataEnd)
        {
            dataEnd = position;
        }
    }

    /**
     * @return bytes of reservation given back from finished cycle files so far.
     */
    long releasedBytes()
    {
        return released;
    }

    /**
     * The writer left the cycle file open in {@link #fd}: give back its reserved blocks past its data. The end mark
     * Chronicle writes after the last frame lies within 4 bytes of it, so the hole starts a page past the page
     * holding both.
     */
    private void releaseUnused()
    {
        if (fd < 0 || !punchSupported || dataEnd <= 0)
        {
            return;
        }
        final long from = (dataEnd + 8 + PAGE - 1) / PAGE * PAGE + PAGE;
        if (from >= reservedUpTo)
        {
            return;
        }
        final PosixAPI posix = PosixAPI.posix();
        if (posix.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, reservedUpTo - from) != 0)
        {
            punchSupported = false;   // best effort: the blocks go when retention deletes the file
            return;
        }
        released += reservedUpTo - from;
    }

    private void open(final int cycle)
    {
        close();
        fdCycle = cycle;
        reservedUpTo = 0;
        dataEnd = 0;
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
