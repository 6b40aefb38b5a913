package dev.engram.engine;

/**
 * A stored value was written by a newer schema version of its codec than this code knows. It is never
 * read by guessing: upgrade the application (or keep the schema version when a change is one the codec
 * tolerates, see docs/typed-values.md).
 */
public final class SchemaVersionException extends TypedValueException
{
    private static final long serialVersionUID = 1L;

    private final int codecId;
    private final int schemaVersion;
    private final int currentSchemaVersion;

    SchemaVersionException(final CharSequence key, final Codec<?> codec, final int schemaVersion)
    {
        super(key, "value key=" + key + " codec id=" + codec.id() + " name=" + codec.name() +
            " was written by a newer schema version=" + schemaVersion + ", this code knows up to " +
            codec.currentSchemaVersion() + ": upgrade the application before reading it", null);
        this.codecId = codec.id();
        this.schemaVersion = schemaVersion;
        this.currentSchemaVersion = codec.currentSchemaVersion();
    }

    /**
     * @return the codec id.
     */
    public int codecId()
    {
        return codecId;
    }

    /**
     * @return the schema version the value was written with.
     */
    public int schemaVersion()
    {
        return schemaVersion;
    }

    /**
     * @return the newest schema version this code knows.
     */
    public int currentSchemaVersion()
    {
        return currentSchemaVersion;
    }
}
