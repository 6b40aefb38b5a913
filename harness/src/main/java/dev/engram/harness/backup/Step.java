package dev.engram.harness.backup;

/**
 * One measured step of one system: a row of the report.
 *
 * @param step    what was done ({@link Kind})
 * @param system  who did it
 * @param nanos   wall time; -1 when the step did not run
 * @param read    bytes read ({@link Io}); -1 when unknown
 * @param written bytes written ({@link Io}); -1 when unknown
 * @param check   the restored state's check ("verified: ...", or what was wrong), the verify's verdict, or "" when
 *                there is nothing to check
 * @param ok      false when the check failed: the run then fails
 * @param note    why the step did not run, or what it means
 */
record Step(Kind step, String system, long nanos, long read, long written, String check, boolean ok, String note)
{
    /** The steps, in the order they run. */
    enum Kind
    {
        FULL("full backup"),
        INCREMENTAL_CHANGE("incremental after the PUT change"),
        INCREMENTAL_PATCH("incremental after the PATCH phase"),
        RESTORE("restore (latest)"),
        OPEN("open the restored state"),
        POINT_IN_TIME("point-in-time restore"),
        VERIFY("verify, reading all data");

        final String title;

        Kind(final String title)
        {
            this.title = title;
        }
    }

    static Step skipped(final Kind step, final String system, final String note)
    {
        return new Step(step, system, -1, -1, -1, "", true, note);
    }

    boolean ran()
    {
        return nanos >= 0;
    }
}
