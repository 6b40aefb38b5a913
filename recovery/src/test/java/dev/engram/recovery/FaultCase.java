package dev.engram.recovery;

import java.util.Random;

/**
 * One injected fault: which pristine store (after a clean close, as a crash left it, or the older store for a swap
 * with a newer file), which kind of file, which damage, and the random that places it. A case is a function of
 * (seed, id) alone, so {@code -Dengram.faults.seed=S -Dengram.faults.case=ID} replays it.
 * <p>
 * A third of the cases open with {@code fastRecovery(false)}, a quarter with {@code verifyBlocksOnOpen(true)}.
 * <p>
 * Ids below {@link #SYSTEMATIC} go through every (file kind × damage) pair once; later ids draw both at random.
 */
record FaultCase(long seed, int id, Base base, FaultFileKind kind, FaultDamage damage, boolean fullPath,
    boolean verifyBlocks, long randomSeed)
{
    static final int SYSTEMATIC = FaultFileKind.values().length * FaultDamage.values().length;

    enum Base
    {
        CLEAN, CRASH, OLDER,
        /** The crash store with a bridge file: a crash while a background open's queue was opening. */
        BRIDGE
    }

    static FaultCase of(final long seed, final int id)
    {
        final Random random = new Random(seed * 0x9E3779B97F4A7C15L + id);
        final FaultFileKind kind;
        final FaultDamage damage;
        if (id < SYSTEMATIC)
        {
            kind = FaultFileKind.values()[id / FaultDamage.values().length];
            damage = FaultDamage.values()[id % FaultDamage.values().length];
        }
        else
        {
            kind = FaultFileKind.values()[random.nextInt(FaultFileKind.values().length)];
            damage = FaultDamage.values()[random.nextInt(FaultDamage.values().length)];
        }
        final Base base;
        if (damage == FaultDamage.SWAP_NEWER)
        {
            base = Base.OLDER;
        }
        else if (kind == FaultFileKind.CLEAN_SHUTDOWN)
        {
            base = Base.CLEAN;                      // a crash leaves no record to damage
        }
        else if (kind == FaultFileKind.JOURNAL_BRIDGE || kind == FaultFileKind.JOURNAL_BRIDGE_MARK)
        {
            base = Base.BRIDGE;                     // only a crash during a background open leaves one
        }
        else
        {
            base = random.nextBoolean() ? Base.CLEAN : Base.CRASH;
        }
        // a third of the cases open on the full recovery path, a quarter verify every block at open
        final boolean fullPath = random.nextInt(3) == 0;
        final boolean verifyBlocks = random.nextInt(4) == 0;
        return new FaultCase(seed, id, base, kind, damage, fullPath, verifyBlocks, random.nextLong());
    }

    String describe()
    {
        return "case " + id + " (-Dengram.faults.seed=" + seed + " -Dengram.faults.case=" + id + "): " + damage + " on " +
            kind + " of the " + base.name().toLowerCase() + " store" +
            (fullPath ? ", full recovery path" : "") + (verifyBlocks ? ", blocks verified at open" : "");
    }
}
