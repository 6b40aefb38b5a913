package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;

import java.io.File;

/**
 * Reserves disk blocks for the part of a cycle file the journal thread is about to write through its mapping,
 * so that a full disk is an exception, not a SIGBUS.
 * <p>
 * Chronicle grows a cycle file sparsely ({@code setLength}) and writes it through a shared mapping: on a full
 * disk the first store into a page of a hole cannot get a block and the kernel kills the process with SIGBUS
 * (tmpfs faults even on reads). After each frame the writer tells this where the frame ended; when the blocks
 * reserved ahead of that position shrink below {@link #ahead()} bytes (the largest frame, plus room for Chronicle's
 * index documents and the pages populated ahead of the writes), the next {@code 2 × ahead} bytes are
 * {@code fallocate}d ({@code FALLOC_FL_KEEP_SIZE}: the file's length is Chronicle's business). The next frame therefore
 * only ever touches reserved blocks; a reservation that fails for lack of space stops the writer with
 * {@link JournalDiskFullException} naming the file, the range and the free space, after the frame it was writing
 * (which lies in reserved blocks). One system call per {@code ahead} bytes written (~17 MiB with the default 16 MiB
 * largest delta), a compare per frame. The first frame of a cycle file is written before its first reservation, so
 * the pages Chronicle writes to create a file and that frame are the one window left. File systems without
 * {@code fallocate} turn it off (reported once).
 * <p>
 * Before, each chunk Chronicle mapped (64 MiB plus a 16 MiB overlap by default) was reserved with the next one, 160 MiB
 * per cycle file however little it held; now the cycle being written holds its data plus at most {@code 2 × ahead}.
 * <p>
 * When the writer moves on to a new cycle file, the old file's reservation past its data is given back: a
 * {@code FALLOC_FL_PUNCH_HOLE} from the page after the one holding its last frame and end mark (nothing reads or
 * writes a finished cycle file past its end mark) frees the blocks inside the file's length, and an
 * {@code ftruncate} to the length it already has frees those past it — ext4 stops a punch at the file's length and
 * drops blocks reserved beyond it only on a truncate (this is what kept the first mapped chunk, 80 MiB, allocated in
 * every finished cycle file before). Best effort: a file system that cannot do either keeps the blocks until
 * retention deletes the file. Owned by the journal thread; {@link #reservedAheadBytes()} may be read by any thread.
 */
final class DiskReservation
{
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final long PAGE = 4096;
    /** Room beyond the largest frame: Chronicle's index documents and the pages populated ahead of the writes. */
    static final long SLACK = 1L << 20;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final int EOPNOTSUPP = 95;
    private static final int EINVAL = 22;

    private final CycleFiles cycleFiles;
    private final long ahead;
    private int fd = -1;
    private int fdCycle = Integer.MIN_VALUE;
    private File fdFile;
    // written by the journal thread only; opaque stores so reservedAheadBytes() may read them from any thread
    private long reservedUpTo;
    private long dataEnd;   // end of the last frame written into fdCycle's file
    private long released;  // bytes given back from finished cycle files (for tests)
    private static final java.lang.invoke.VarHandle RESERVED_UP_TO;
    private static final java.lang.invoke.VarHandle DATA_END;

    static
    {
        try
        {
            final java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            RESERVED_UP_TO = lookup.findVarHandle(DiskReservation.class, "reservedUpTo", long.class);
            DATA_END = lookup.findVarHandle(DiskReservation.class, "dataEnd", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
    private boolean supported = true;
    private boolean punchSupported = true;

    /**
     * @param cycleFiles     the journal's cycle files by name.
     * @param maxFrameLength the largest frame the writer may write next.
     */
    DiskReservation(final CycleFiles cycleFiles, final long maxFrameLength)
    {
        this.cycleFiles = cycleFiles;
        this.ahead = maxFrameLength + SLACK;
    }

    /**
     * @return bytes kept reserved ahead of the writes, at least: a reservation is made when fewer remain.
     */
    long ahead()
    {
        return ahead;
    }

    /**
     * Writer thread, after each frame: the frame written into {@code cycle}'s file ends at {@code position}. Reserves
     * the blocks ahead of it if fewer than {@link #ahead()} bytes are reserved.
     *
     * @throws JournalDiskFullException if the disk has no room for them.
     */
    void noteWritten(final int cycle, final long position)
    {
        if (cycle != fdCycle)
        {
            releaseUnused();
            open(cycle);
        }
        if (position > dataEnd)
        {
            DATA_END.setOpaque(this, position);   // a plain store on x86 and ARM: no fence on the per-frame path
        }
        if (position + ahead > reservedUpTo && supported && fd >= 0)
        {
            reserve(position);
        }
    }

    private void reserve(final long position)
    {
        final long from = Math.max(position / PAGE * PAGE, reservedUpTo);
        final long wanted = position + 2 * ahead;
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
        RESERVED_UP_TO.setOpaque(this, wanted);
    }

    /**
     * @return bytes of reservation given back from finished cycle files so far.
     */
    long releasedBytes()
    {
        return released;
    }

    /**
     * @return bytes reserved past the data of the cycle file being written (blocks allocated that hold nothing yet);
     * any thread.
     */
    long reservedAheadBytes()
    {
        final long ahead = (long)RESERVED_UP_TO.getOpaque(this) - (long)DATA_END.getOpaque(this);
        return Math.max(0, ahead);
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
        // blocks reserved past the file's length: ext4's punch stops at the length; a truncate to the same length
        // drops them (the length is unchanged, so a reader's mapping of the file is unaffected)
        final long length = fdFile.length();
        if (length > 0 && reservedUpTo > length)
        {
            posix.ftruncate(fd, length);
        }
        released += reservedUpTo - from;
    }

    private void open(final int cycle)
    {
        close();
        fdCycle = cycle;
        RESERVED_UP_TO.setOpaque(this, 0L);
        DATA_END.setOpaque(this, 0L);
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
