package dev.engram.recovery.internal.overlay;

import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import org.agrona.BitUtil;
import org.agrona.UnsafeApi;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.*;

/**
 * The keys changed since the newest checkpoint, and where each one's current value is, kept off the
 * Java heap (see {@link OverlayEntryDescriptor}). A PUT is recorded as a reference into the mapped journal
 * (no copy); a PATCH materialises the value once in an off-heap arena and patches it in place after that;
 * a DELETE is a tombstone.
 * <p>
 * One writer thread ({@link #assertWriter()}), any number of readers through {@link OverlayReader}:
 * new entries are published by an ordered store of the slot's hash; changes to an entry are bracketed
 * by a seqlock so a reader never sees a half-changed entry or a half-patched value.
 */
public final class Overlay implements AutoCloseable, OffHeapArena.AccountRef
{
    private static final int FIRST_ENTRY_CHUNK = 64 * 1024;
    private static final int MAX_ENTRY_CHUNK = 16 * 1024 * 1024;
    /** Largest table {@link #ensureCapacity} asks for (16 bytes a slot: 1 GiB). */
    private static final long MAX_TABLE_SLOTS = 1L << 26;

    /** Resolves the current value of a key that the overlay does not hold (the checkpoint chain). */
    public interface BaseValues
    {
        /**
         * @return true and the value in {@code out}, or false if the key is absent.
         */
        boolean get(DirectBuffer key, int keyOffset, int keyLength, UnsafeBuffer out);

        /**
         * @return FOUND (the value in {@code out}), QUARANTINED (the reason in {@code out}) or ABSENT.
         */
        default LookupStatus lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
        {
            return get(key, keyOffset, keyLength, out) ? LookupStatus.FOUND : LookupStatus.ABSENT;
        }
    }

    /** Resolves a journal reference to the bytes it names. */
    interface JournalValues
    {
        void wrap(UnsafeBuffer out, int cycle, long position, int length);
    }

    /** {@link JournalValues} of a mapped journal (a named class, not a method reference: no lambda to spin up at restart). */
    private static final class MappedJournalValues implements JournalValues
    {
        private final JournalMappedFiles files;

        MappedJournalValues(final JournalMappedFiles files)
        {
            this.files = files;
        }

        @Override
        public void wrap(final UnsafeBuffer out, final int cycle, final long position, final int length)
        {
            files.wrap(out, cycle, position, length);
        }
    }

    /** Visits entries (writer thread, or when nothing writes). */
    public interface EntryVisitor
    {
        void onEntry(DirectBuffer key, int keyOffset, int keyLength, int kind, long version, DirectBuffer value, int valueLength);
    }

    private final OffHeapArena entries = new OffHeapArena(FIRST_ENTRY_CHUNK, MAX_ENTRY_CHUNK, this, true);   // every field is written on insert
    private final ValueBlocks values = new ValueBlocks(this);
    private final List<long[]> tables = new ArrayList<>();   // {address, length}: old tables stay until close (readers)
    private final OverlayKeyLog keyLog = new OverlayKeyLog();   // new keys in insertion order (ordered scans sort them)
    private final OverlayKeyRuns keyRuns = new OverlayKeyRuns(keyLog);
    private OffHeapAccount account;
    private long reservedBytes;
    private long usedBytes;
    private final JournalValues journalValues;
    private final UnsafeBuffer entry = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer current = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer arenaView = new UnsafeBuffer(0, 0);
    private volatile UnsafeBuffer table;
    private int mask;
    private int size;
    private int resizeThreshold;
    private long lastVersion;
    private Thread writer;

    /**
     * @param expectedKeys keys to size the table for (it grows past them).
     * @param journal      the mapped journal the PUT references point into.
     */
    public Overlay(final int expectedKeys, final JournalMappedFiles journal)
    {
        this(expectedKeys, new MappedJournalValues(journal));
    }

    public Overlay(final int expectedKeys, final JournalValues journalValues)
    {
        this(expectedKeys, journalValues, OffHeapAccount.unlimited());
    }

    /**
     * @param account where this overlay's off-heap memory is counted (and, if it enforces a limit, refused).
     */
    public Overlay(final int expectedKeys, final JournalMappedFiles journal, final OffHeapAccount account)
    {
        this(expectedKeys, new MappedJournalValues(journal), account);
    }

    public Overlay(final int expectedKeys, final JournalValues journalValues, final OffHeapAccount account)
    {
        this.journalValues = journalValues;
        this.account = account;
        allocateTable(BitUtil.findNextPositivePowerOfTwo(Math.max(16, expectedKeys * 2)));
    }

    /**
     * @return an empty overlay of the next generation: same journal, same account.
     */
    Overlay successor(final int expectedKeys)
    {
        return new Overlay(expectedKeys, journalValues, account);
    }

    /**
     * Count this overlay's memory in {@code next} from now on (e.g. a recovered overlay joining its store's
     * account); no limit is checked for what it already holds.
     */
    public void moveTo(final OffHeapAccount next)
    {
        account.release(reservedBytes);
        account.used(-usedBytes);
        next.add(reservedBytes, usedBytes);
        account = next;
    }

    /**
     * No other thread can see this overlay (a checkpoint build's): a large value block is freed as soon as its
     * key gives it up, instead of being kept for reuse until close.
     */
    public void freeOnRelease()
    {
        values.freeOnRelease();
    }

    OffHeapAccount account()
    {
        return account;
    }

    @Override
    public void reserve(final long bytes)
    {
        account.reserve(bytes);
        reservedBytes += bytes;
    }

    @Override
    public void release(final long bytes)
    {
        account.release(bytes);
        reservedBytes -= bytes;
    }

    @Override
    public void use(final long delta)
    {
        account.used(delta);
        usedBytes += delta;
    }

    private void allocateTable(final int capacity)
    {
        final long length = (long)capacity * SLOT_LENGTH;
        reserve(length);
        final long address;
        try
        {
            address = UnsafeApi.allocateMemory(length);
        }
        catch (final Throwable ex)
        {
            release(length);
            throw ex;
        }
        UnsafeApi.setMemory(address, length, (byte)0);   // an empty slot is a zero hash
        tables.add(new long[]{address, length});
        use(length - (table == null ? 0 : table.capacity()));
        final UnsafeBuffer newTable = new UnsafeBuffer(address, (int)length);
        final UnsafeBuffer old = table;
        final int newMask = capacity - 1;
        if (old != null)
        {
            for (int slot = 0; slot <= mask; slot++)
            {
                final long hash = old.getLong(slot * SLOT_LENGTH + SLOT_HASH_OFFSET);
                if (hash != 0)
                {
                    insertSlot(newTable, newMask, hash, old.getLong(slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET));
                }
            }
        }
        mask = newMask;
        resizeThreshold = capacity / 2;
        table = newTable;
    }

    /**
     * The home slot of a hash: its top bits, so that keys whose hashes share a prefix live in one
     * contiguous slice of the table ({@link PartitionedTailIndexer} fills the table slice by slice).
     *
     * @param hash     a key hash (never 0).
     * @param capacity slots, a power of two.
     * @return the slot index in [0, capacity).
     */
    static int homeSlot(final long hash, final int capacity)
    {
        return capacity == 1 ? 0 : (int)(hash >>> (64 - Integer.numberOfTrailingZeros(capacity)));
    }

    private static void insertSlot(final UnsafeBuffer table, final int mask, final long hash, final long entryAddress)
    {
        int slot = homeSlot(hash, mask + 1);
        while (table.getLong(slot * SLOT_LENGTH + SLOT_HASH_OFFSET) != 0)
        {
            slot = (slot + 1) & mask;
        }
        table.putLong(slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET, entryAddress);
        table.putLongOrdered(slot * SLOT_LENGTH + SLOT_HASH_OFFSET, hash);
    }

    private void assertWriter()
    {
        final Thread thread = Thread.currentThread();
        if (writer == null)
        {
            writer = thread;
        }
        else if (writer != thread)
        {
            throw new IllegalStateException("overlay is single-writer: owner=" + writer.getName() + " caller=" + thread.getName());
        }
    }

    /**
     * Hand the single-writer role to the calling thread (after the previous writer is done with it,
     * e.g. the recovery thread passing a rebuilt overlay to the applier).
     */
    void transferWriter()
    {
        writer = Thread.currentThread();
    }

    /**
     * @return the address of the key's entry, or 0.
     */
    public long find(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash)
    {
        return find(table, key, keyOffset, keyLength, hash);
    }

    public static long find(final UnsafeBuffer table, final DirectBuffer key, final int keyOffset, final int keyLength, final long hash)
    {
        // raw reads (this is the restart path's and every read's inner loop): slots lie within the table by
        // construction, entries were written whole before their slot was published
        key.boundsCheck(keyOffset, keyLength);
        final long tableAddress = table.addressOffset();
        final int mask = table.capacity() / SLOT_LENGTH - 1;
        final byte[] keyArray = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        int slot = homeSlot(hash, mask + 1);
        while (true)
        {
            final long slotAddress = tableAddress + (long)slot * SLOT_LENGTH;
            final long slotHash = UnsafeApi.getLongVolatile(null, slotAddress + SLOT_HASH_OFFSET);
            if (slotHash == 0)
            {
                return 0;
            }
            if (slotHash == hash)
            {
                final long address = UnsafeApi.getLong(slotAddress + SLOT_ENTRY_OFFSET);
                if (UnsafeApi.getInt(address + KEY_LENGTH_OFFSET) == keyLength &&
                    keyEquals(address + KEY_OFFSET, keyArray, keyAddress, keyLength))
                {
                    return address;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean keyEquals(final long entryKey, final byte[] keyArray, final long keyAddress, final int keyLength)
    {
        int i = 0;
        for (; i + 8 <= keyLength; i += 8)
        {
            if (UnsafeApi.getLong(entryKey + i) != UnsafeApi.getLong(keyArray, keyAddress + i))
            {
                return false;
            }
        }
        for (; i < keyLength; i++)
        {
            if (UnsafeApi.getByte(entryKey + i) != UnsafeApi.getByte(keyArray, keyAddress + i))
            {
                return false;
            }
        }
        return true;
    }

    private long findOrInsert(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash,
        final long version, final int kind, final long a, final long b, final int valueLength)
    {
        final long existing = find(key, keyOffset, keyLength, hash);
        if (existing != 0)
        {
            return existing;
        }
        if (size + 1 > resizeThreshold)
        {
            allocateTable((mask + 1) * 2);
        }
        final long address = entries.allocate(KEY_OFFSET + keyLength);   // its chunks count as used (no atomic per entry)
        UnsafeApi.putLong(address + SEQUENCE_OFFSET, 0);
        UnsafeApi.putLong(address + VERSION_OFFSET, version);
        UnsafeApi.putInt(address + KIND_OFFSET, kind);
        UnsafeApi.putInt(address + KEY_LENGTH_OFFSET, keyLength);
        UnsafeApi.putLong(address + A_OFFSET, a);
        UnsafeApi.putLong(address + B_OFFSET, b);
        UnsafeApi.putInt(address + VALUE_LENGTH_OFFSET, valueLength);
        UnsafeApi.putLong(address + CREATED_VERSION_OFFSET, version);
        UnsafeApi.copyMemory(key.byteArray(), key.addressOffset() + keyOffset, null, address + KEY_OFFSET, keyLength);
        insertSlot(table, mask, hash, address);
        keyLog.append(address);
        size++;
        return -address;
    }

    private void update(final long address, final long version, final int kind, final long a, final long b, final int valueLength)
    {
        entry.wrap(address, KEY_OFFSET);
        final int oldKind = entry.getInt(KIND_OFFSET);
        final long oldA = entry.getLong(A_OFFSET);
        final long oldB = entry.getLong(B_OFFSET);
        final long sequence = entry.getLong(SEQUENCE_OFFSET);
        entry.putLongVolatile(SEQUENCE_OFFSET, sequence + 1);
        VarHandle.storeStoreFence();   // the odd sequence is visible before any field changes
        entry.putLong(VERSION_OFFSET, version);
        entry.putInt(KIND_OFFSET, kind);
        entry.putLong(A_OFFSET, a);
        entry.putLong(B_OFFSET, b);
        entry.putInt(VALUE_LENGTH_OFFSET, valueLength);
        entry.putLongOrdered(SEQUENCE_OFFSET, sequence + 2);
        if (inArena(oldKind) && !(inArena(kind) && a == oldA))
        {
            values.release(oldA, oldB);   // after the sequence moved on: a reader of the old block will retry
        }
    }

    private static boolean inArena(final int kind)
    {
        return kind == KIND_ARENA || kind == KIND_QUARANTINED;
    }

    private void noteVersion(final long version)
    {
        if (version > lastVersion)
        {
            lastVersion = version;
        }
    }

    /**
     * PUT: the value lies in the journal at (cycle, position).
     */
    void putJournalRef(final DirectBuffer key, final int keyOffset, final int keyLength, final long version,
        final int cycle, final long position, final int valueLength)
    {
        putJournalRef(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), version, cycle, position, valueLength);
    }

    /**
     * PUT with the key's {@link KeyHash} already computed.
     */
    void putJournalRef(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash, final long version,
        final int cycle, final long position, final int valueLength)
    {
        assertWriter();
        final long found = findOrInsert(key, keyOffset, keyLength, hash, version, KIND_JOURNAL, cycle, position, valueLength);
        if (found > 0)
        {
            update(found, version, KIND_JOURNAL, cycle, position, valueLength);
        }
        noteVersion(version);
    }

    /**
     * PUT of a value that has no place in the mapped journal yet (a frame read from the journal's bridge file while the
     * queue opens): the value is copied into an arena block, as a PATCH materialises one.
     */
    void putCopy(final DirectBuffer key, final int keyOffset, final int keyLength, final long version,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        assertWriter();
        src.boundsCheck(srcOffset, length);   // before anything changes
        putArenaCopy(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), version, KIND_ARENA, src, srcOffset,
            length);
    }

    /**
     * Copy {@code length} bytes into an arena block and make it the key's value of {@code kind} (an arena kind). A block
     * some key gave up may be reused: its last entry's update made that entry's sequence odd first, so a reader still
     * copying from it retries (as in patch).
     */
    private void putArenaCopy(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash,
        final long version, final int kind, final DirectBuffer src, final int srcOffset, final int length)
    {
        final long valueAddress = values.take(Math.max(8L, length));
        final long capacity = values.takenCapacity();
        arenaView.wrap(valueAddress, (int)capacity);
        arenaView.putBytes(0, src, srcOffset, length);
        final long found = findOrInsert(key, keyOffset, keyLength, hash, version, kind, valueAddress, capacity, length);
        if (found > 0)
        {
            update(found, version, kind, valueAddress, capacity, length);
        }
        noteVersion(version);
    }

    /**
     * DELETE.
     */
    public void putTombstone(final DirectBuffer key, final int keyOffset, final int keyLength, final long version)
    {
        putTombstone(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), version);
    }

    /**
     * DELETE with the key's {@link KeyHash} already computed.
     */
    public void putTombstone(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash, final long version)
    {
        assertWriter();
        final long found = findOrInsert(key, keyOffset, keyLength, hash, version, KIND_TOMBSTONE, 0, 0, 0);
        if (found > 0)
        {
            update(found, version, KIND_TOMBSTONE, 0, 0, 0);
        }
        noteVersion(version);
    }

    /**
     * Quarantine a key: a frame that changed it could not be applied, so its value is unknown. Reads of it are
     * refused (with the reason) until a later PUT or DELETE replaces it; a PATCH of it leaves it quarantined.
     *
     * @param reason holding the reason (UTF-8), copied into the value arena.
     */
    void putQuarantined(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash,
        final long version, final DirectBuffer reason, final int reasonOffset, final int reasonLength)
    {
        assertWriter();
        putArenaCopy(key, keyOffset, keyLength, hash, version, KIND_QUARANTINED, reason, reasonOffset, reasonLength);
    }

    /**
     * PATCH: write {@code length} bytes at {@code patchOffset} of the key's current value (an absent or
     * deleted key counts as empty; a patch past the end grows the value, zero-filling any gap).
     */
    void patch(final DirectBuffer key, final int keyOffset, final int keyLength, final long version, final long patchOffset,
        final DirectBuffer src, final int srcOffset, final int length, final BaseValues base)
    {
        patch(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), version, patchOffset, src, srcOffset, length, base);
    }

    /**
     * PATCH with the key's {@link KeyHash} already computed.
     */
    void patch(final DirectBuffer key, final int keyOffset, final int keyLength, final long hash, final long version,
        final long patchOffset, final DirectBuffer src, final int srcOffset, final int length, final BaseValues base)
    {
        assertWriter();
        final long end = patchOffset + length;
        if (patchOffset < 0 || end > dev.engram.journal.DeltaFrameDescriptor.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException("PATCH outside [0, 2 GiB): patchOffset=" + patchOffset + " length=" + length);
        }
        final long address = find(key, keyOffset, keyLength, hash);
        final int kind;
        int currentLength = 0;
        LookupStatus baseStatus;
        if (address != 0)
        {
            entry.wrap(address, KEY_OFFSET);
            kind = entry.getInt(KIND_OFFSET);
            if (kind == KIND_JOURNAL)
            {
                currentLength = entry.getInt(VALUE_LENGTH_OFFSET);
                journalValues.wrap(current, (int)entry.getLong(A_OFFSET), entry.getLong(B_OFFSET), currentLength);
            }
            else if (kind == KIND_ARENA)
            {
                currentLength = entry.getInt(VALUE_LENGTH_OFFSET);
                current.wrap(entry.getLong(A_OFFSET), Math.max(currentLength, 1));
            }
            else if (kind == KIND_QUARANTINED)
            {
                // the value to patch is unknown: the key stays quarantined (same reason), at this version
                update(address, version, KIND_QUARANTINED, entry.getLong(A_OFFSET), entry.getLong(B_OFFSET),
                    entry.getInt(VALUE_LENGTH_OFFSET));
                noteVersion(version);
                return;
            }
        }
        else if (base != null && (baseStatus = base.lookup(key, keyOffset, keyLength, current)) != LookupStatus.ABSENT)
        {
            if (baseStatus == LookupStatus.QUARANTINED)
            {
                putQuarantined(key, keyOffset, keyLength, hash, version, current, 0, current.capacity());
                return;
            }
            kind = KIND_JOURNAL;   // copy from 'current' like a journal value
            currentLength = current.capacity();
        }
        else
        {
            kind = KIND_TOMBSTONE;  // absent: starts empty
        }
        final int newLength = (int)Math.max(currentLength, end);

        src.boundsCheck(srcOffset, length);   // nothing below may throw once the sequence is odd: readers would spin
        if (kind == KIND_ARENA && entry.getLong(B_OFFSET) >= newLength)
        {
            // in place, under the entry's seqlock
            final long sequence = entry.getLong(SEQUENCE_OFFSET);
            entry.putLongVolatile(SEQUENCE_OFFSET, sequence + 1);
            VarHandle.storeStoreFence();
            arenaView.wrap(entry.getLong(A_OFFSET), newLength);
            if (patchOffset > currentLength)
            {
                arenaView.setMemory(currentLength, (int)(patchOffset - currentLength), (byte)0);
            }
            arenaView.putBytes((int)patchOffset, src, srcOffset, length);
            entry.putLong(VERSION_OFFSET, version);
            entry.putInt(VALUE_LENGTH_OFFSET, newLength);
            entry.putLongOrdered(SEQUENCE_OFFSET, sequence + 2);
            noteVersion(version);
            return;
        }

        // materialise once: the current value into a block with room to grow (a block some key gave up if one
        // of about that size is free, else a new one), then patch it. Writing into a reused block before this
        // entry's update() is safe: the update that took it out of use made that entry's sequence odd (and fenced)
        // first, so a reader still copying from it fails its re-check and retries.
        final long valueAddress = values.take(Math.max(8L, newLength));   // its size class leaves 0-25 % to grow into
        final long capacity = values.takenCapacity();
        arenaView.wrap(valueAddress, (int)capacity);
        final int copied = kind != KIND_TOMBSTONE ? currentLength : 0;
        if (copied > 0)
        {
            arenaView.putBytes(0, current, 0, copied);
        }
        if (patchOffset > copied)
        {
            arenaView.setMemory(copied, (int)(patchOffset - copied), (byte)0);   // blocks are not zeroed
        }
        arenaView.putBytes((int)patchOffset, src, srcOffset, length);
        if (address == 0)
        {
            findOrInsert(key, keyOffset, keyLength, hash, version, KIND_ARENA, valueAddress, capacity, newLength);
        }
        else
        {
            update(address, version, KIND_ARENA, valueAddress, capacity, newLength);
        }
        noteVersion(version);
    }

    /**
     * @return this overlay's keys (tombstones included) in key order, for ordered scans (any thread; the entries
     * they name are valid while the overlay is open).
     */
    public OverlayKeyRuns keyRuns()
    {
        return keyRuns;
    }

    /**
     * @return keys held (including tombstones).
     */
    public int size()
    {
        return size;
    }

    /**
     * @return the highest version applied.
     */
    long lastVersion()
    {
        return lastVersion;
    }

    /**
     * @return off-heap bytes reserved by the overlay (tables, entries, value blocks in use or free).
     */
    public long offHeapBytes()
    {
        return reservedBytes;
    }

    /**
     * @return off-heap bytes holding the current table, the entries and the values in use.
     */
    long usedBytes()
    {
        return usedBytes;
    }

    /**
     * @return bytes of value blocks ever newly taken (a reused block is not counted again).
     */
    long valueBytesAllocated()
    {
        return values.takenBytes();
    }

    /**
     * Grow the table now, if needed, so that {@code keys} keys fit without a resize (at most half full).
     *
     * @param keys keys the overlay should hold.
     */
    void ensureCapacity(final long keys)
    {
        final long wanted = Math.min(MAX_TABLE_SLOTS, Math.max(16, keys * 2));
        if (wanted / 2 > resizeThreshold)
        {
            assertWriter();
            allocateTable(BitUtil.findNextPositivePowerOfTwo((int)wanted));
        }
    }

    /**
     * @return slots in the hash table (a power of two).
     */
    int tableSlots()
    {
        return mask + 1;
    }

    UnsafeBuffer table()
    {
        return table;
    }

    JournalValues journalValues()
    {
        return journalValues;
    }

    /**
     * Visit every entry (writer thread or quiescent overlay).
     */
    public void forEach(final EntryVisitor visitor)
    {
        final UnsafeBuffer t = table;
        final UnsafeBuffer e = new UnsafeBuffer(0, 0);
        final UnsafeBuffer value = new UnsafeBuffer(0, 0);
        for (int slot = 0, n = t.capacity() / SLOT_LENGTH; slot < n; slot++)
        {
            if (t.getLong(slot * SLOT_LENGTH + SLOT_HASH_OFFSET) == 0)
            {
                continue;
            }
            final long address = t.getLong(slot * SLOT_LENGTH + SLOT_ENTRY_OFFSET);
            e.wrap(address, KEY_OFFSET);
            final int keyLength = e.getInt(KEY_LENGTH_OFFSET);
            e.wrap(address, KEY_OFFSET + keyLength);
            final int kind = e.getInt(KIND_OFFSET);
            final int valueLength = e.getInt(VALUE_LENGTH_OFFSET);
            if (kind == KIND_JOURNAL)
            {
                journalValues.wrap(value, (int)e.getLong(A_OFFSET), e.getLong(B_OFFSET), valueLength);
            }
            else if (kind == KIND_ARENA || kind == KIND_QUARANTINED)
            {
                value.wrap(e.getLong(A_OFFSET), Math.max(valueLength, 1));   // a quarantined key's reason
            }
            else
            {
                value.wrap(0, 0);
            }
            visitor.onEntry(e, KEY_OFFSET, keyLength, kind, e.getLong(VERSION_OFFSET), value, valueLength);
        }
    }

    @Override
    public void close()
    {
        table = null;
        entries.close();
        values.close();
        use(-usedBytes);   // what is left: entries and the current table
        for (final long[] memory : tables)
        {
            UnsafeApi.freeMemory(memory[0]);
            release(memory[1]);
        }
        tables.clear();
    }
}
