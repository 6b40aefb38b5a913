package dev.engram.backup;

/**
 * An encrypted repository could not be opened with the key given, or a repository's keys could not be changed as
 * asked: {@link #reason()} says which case, the message names the repository and what to do.
 */
public final class RepositoryKeyException extends BackupException
{
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason
    {
        /** No key object of the repository opens with the passphrase or key file given. */
        WRONG_KEY,
        /** The repository is encrypted and no key was given. */
        KEY_REQUIRED,
        /** A key was given for a repository that is not encrypted (encrypting one in place is not supported). */
        NOT_ENCRYPTED,
        /** The key change asked for is refused (the last key, the key in use, an unknown key id). */
        REFUSED
    }

    private final Reason reason;

    public RepositoryKeyException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    /** Why. */
    public Reason reason()
    {
        return reason;
    }
}
