package dev.engram.backup.storage;

/**
 * The rules for keys of a {@link BackupStorage}: {@code '/'}-separated segments, each of {@code [A-Za-z0-9._-]}, not
 * empty, not {@code "."} or {@code ".."}, not ending in {@code ".tmp"} (the local storage's temp files), at most 512
 * characters in all. So a key is a safe relative path on every file system and a safe S3 key.
 */
public final class StorageKeys
{
    /** Longest key accepted. */
    public static final int MAX_LENGTH = 512;
    /** Suffix reserved for objects being written. */
    public static final String TEMP_SUFFIX = ".tmp";

    private StorageKeys()
    {
    }

    /**
     * @return the key
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    public static String check(final String key)
    {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH)
        {
            throw new IllegalArgumentException("storage key must have 1.." + MAX_LENGTH + " characters: " + key);
        }
        int start = 0;
        while (start <= key.length())
        {
            int end = key.indexOf('/', start);
            end = end < 0 ? key.length() : end;
            checkSegment(key, key.substring(start, end));
            start = end + 1;
        }
        return key;
    }

    /** A prefix for {@link BackupStorage#list}: empty, or characters a key may hold. */
    public static String checkPrefix(final String prefix)
    {
        for (int i = 0; i < prefix.length(); i++)
        {
            if (!allowed(prefix.charAt(i)) && prefix.charAt(i) != '/')
            {
                throw new IllegalArgumentException("storage key prefix holds '" + prefix.charAt(i) + "': " + prefix);
            }
        }
        return prefix;
    }

    private static void checkSegment(final String key, final String segment)
    {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.endsWith(TEMP_SUFFIX))
        {
            throw new IllegalArgumentException("storage key has an empty, '.', '..' or '*" + TEMP_SUFFIX +
                "' segment: " + key);
        }
        for (int i = 0; i < segment.length(); i++)
        {
            if (!allowed(segment.charAt(i)))
            {
                throw new IllegalArgumentException("storage key holds '" + segment.charAt(i) + "': " + key);
            }
        }
    }

    private static boolean allowed(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-';
    }
}
