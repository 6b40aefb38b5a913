package dev.engram.harness.demo;

/**
 * Layout of the worker's live file: a 64-byte file the worker maps and updates after every step, and the
 * parent reads while the worker runs and again after the {@code kill -9} (the page cache outlives the
 * process, so the last value the worker stored is what the parent sees). Little-endian longs.
 * <pre>
 *   0                   8                   16                  24                  32
 *   +-------------------+-------------------+-------------------+-------------------+
 *   |  written version  |  steps committed  | recovered version |       phase       |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   |    checkpoints    | stepping start µs |  report request   |  report answered  |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   32                  40                  48                  56                  64
 * </pre>
 * <ul>
 *   <li>written version: the journal's {@code writtenVersion()} read after the step's commit: recovery
 *       must come back at this version or later.</li>
 *   <li>steps committed: steps this worker committed (not counting those it recovered).</li>
 *   <li>recovered version: what the worker's own {@code Engram.open} recovered (0 on a fresh directory).</li>
 *   <li>phase: {@link #PHASE_OPENING}, {@link #PHASE_STEPPING}, {@link #PHASE_TAIL_DONE}.</li>
 *   <li>stepping start µs: wall clock (epoch microseconds) of the first paced step.</li>
 *   <li>report request: the parent writes a new number here to ask for a progress report now (just before
 *       the kill, so the report covers the whole run); report answered: the worker's reporter thread copies
 *       the number here once that report is in place.</li>
 * </ul>
 * One writer per field: the report request is the parent's, report answered the worker's reporter thread's,
 * the rest the worker's stepping thread's.
 */
public final class WorkerLiveDescriptor
{
    public static final int WRITTEN_VERSION_OFFSET = 0;
    public static final int STEPS_COMMITTED_OFFSET = 8;
    public static final int RECOVERED_VERSION_OFFSET = 16;
    public static final int PHASE_OFFSET = 24;
    public static final int CHECKPOINTS_OFFSET = 32;
    public static final int STEPPING_START_EPOCH_US_OFFSET = 40;
    public static final int REPORT_REQUEST_OFFSET = 48;
    public static final int REPORT_ANSWERED_OFFSET = 56;
    public static final int LENGTH = 64;

    /** The engine is opening (recovering). */
    public static final long PHASE_OPENING = 0;
    /** Steps are being committed at the target rate. */
    public static final long PHASE_STEPPING = 1;
    /** Size-series run: the checkpoint and the journal tail after it are in place; the worker may be killed. */
    public static final long PHASE_TAIL_DONE = 2;

    private WorkerLiveDescriptor()
    {
    }
}
