package dev.engram.engine;

/**
 * A stored value is older than its codec reads directly, and the {@link MigrationRegistry} has no step
 * to bring it forward from {@link #fromVersion()} to {@code fromVersion() + 1}.
 */
public final class MissingMigrationException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    private final int codecId;
    private final int fromVersion;

    MissingMigrationException(final CharSequence key, final Codec<?> codec, final int storedVersion, final int fromVersion)
    {
        super(key, "value key=" + key + " codec id=" + codec.id() + " name=" + codec.name() +
            " was written by schema version=" + storedVersion + "; no migration from version=" + fromVersion +
            " to version=" + (fromVersion + 1) + " is registered (this code writes version=" +
            codec.currentSchemaVersion() + " and decodes versions " + codec.oldestDecodableSchemaVersion() + ".." +
            codec.currentSchemaVersion() + " directly): register Migration.of(" + codec.id() + ", " + fromVersion +
            ", ...)", null);
        this.codecId = codec.id();
        this.fromVersion = fromVersion;
    }

    /**
     * @return the codec id.
     */
    public int codecId()
    {
        return codecId;
    }

    /**
     * @return the version the missing step starts from (it would produce {@code fromVersion + 1}).
     */
    public int fromVersion()
    {
        return fromVersion;
    }
}
