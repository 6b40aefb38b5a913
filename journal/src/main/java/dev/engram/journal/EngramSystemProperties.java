package dev.engram.journal;

/**
 * Sets the system properties Chronicle reads when its classes load: usage analytics off (no code path
 * may reach the network) and no banner. (Stale-lock force-unlocking is set only while the journal builds
 * its own queue, see ChronicleJournalStore: it would be unsafe for other queues of the application.) Every entry point calls
 * {@link #apply()} before any Chronicle class is touched; {@link Journal#open(JournalContext)} does too.
 * A value the application set explicitly is kept, except analytics, which are always off.
 */
public final class EngramSystemProperties
{
    public static final String ANALYTICS_DISABLE = "chronicle.analytics.disable";
    public static final String ANNOUNCER_DISABLE = "chronicle.announcer.disable";
    public static final String FORCE_UNLOCK_MODE = "queue.force.unlock.mode";
    /**
     * Chronicle Core tracks thread locals of non-cleaning threads when assertions are on (-ea); the sweep that
     * creating a queue store triggers then races with other threads' tailers (a ConcurrentModificationException
     * in SCQIndexing). Without -ea it is off anyway; this keeps it off under -ea too.
     */
    public static final String CTL_ORPHAN_TRACKING_DISABLE = "disable.ctl.orphan.tracking";

    private EngramSystemProperties()
    {
    }

    /**
     * Idempotent and cheap; analytics are switched off again even if something cleared the property.
     */
    public static void apply()
    {
        if (!"true".equals(System.getProperty(ANALYTICS_DISABLE)))
        {
            System.setProperty(ANALYTICS_DISABLE, "true");
        }
        setIfAbsent(ANNOUNCER_DISABLE, "true");
        setIfAbsent("chronicle.disk.monitor.disable", "true");
        setIfAbsent(CTL_ORPHAN_TRACKING_DISABLE, "true");
    }

    private static void setIfAbsent(final String name, final String value)
    {
        if (System.getProperty(name) == null)
        {
            System.setProperty(name, value);
        }
    }
}
