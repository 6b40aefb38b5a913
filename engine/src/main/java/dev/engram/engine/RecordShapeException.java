package dev.engram.engine;

/**
 * A {@link RecordCodec} payload was written by another shape of the record than the one reading it (a
 * component added, removed, renamed, reordered or retyped without a schema version bump): refused rather
 * than read as a wrong value. {@link TypedValues} reports it as a {@link ValueDecodeException} naming the key
 * and the codec, with this as the cause.
 */
public final class RecordShapeException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final int storedComponentCount;
    private final long storedFingerprint;

    RecordShapeException(final RecordLayout layout, final int storedCount, final long storedFingerprint)
    {
        super("payload was written by a different shape of record " + layout.type().getName() + ": stored " +
            storedCount + " components with shape fingerprint 0x" + Long.toHexString(storedFingerprint) +
            ", this record has " + layout.componentCount() + " components " + layout.shape() +
            " with fingerprint 0x" + Long.toHexString(layout.fingerprint()) + " (" +
            (storedCount != layout.componentCount() ? "a component was added or removed" :
                "same count: a component was renamed, reordered or retyped") +
            " without a schema version bump); keep the old shape as its own record class and register " +
            "version(n).migrateFrom(OldShape.class, n - 1, old -> new ...) on the codec");
        this.storedComponentCount = storedCount;
        this.storedFingerprint = storedFingerprint;
    }

    /** @return the component count in the payload's header. */
    public int storedComponentCount()
    {
        return storedComponentCount;
    }

    /** @return the shape fingerprint in the payload's header. */
    public long storedFingerprint()
    {
        return storedFingerprint;
    }
}
