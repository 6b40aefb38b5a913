package dev.engram.harness.backupsoak;

import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The child's storage: passes every call to the repository's, printing {@code put KEY}, {@code delete KEY} and
 * {@code get KEY} lines first, so that the parent can kill the child right after a chosen one.
 */
final class AnnouncingStorage implements BackupStorage
{
    private final BackupStorage delegate;
    private final PrintStream out;

    AnnouncingStorage(final BackupStorage delegate, final PrintStream out)
    {
        this.delegate = delegate;
        this.out = out;
    }

    private void announce(final String what, final String key)
    {
        synchronized (out)
        {
            out.println(what + " " + key);
        }
    }

    @Override
    public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
    {
        announce("put", key);
        return delegate.putIfAbsent(key, bytes);
    }

    @Override
    public byte[] get(final String key) throws IOException
    {
        announce("get", key);
        return delegate.get(key);
    }

    @Override
    public byte[] get(final String key, final long offset, final int length) throws IOException
    {
        announce("get", key);
        return delegate.get(key, offset, length);
    }

    @Override
    public long size(final String key) throws IOException
    {
        return delegate.size(key);
    }

    @Override
    public boolean exists(final String key) throws IOException
    {
        return delegate.exists(key);
    }

    @Override
    public List<String> list(final String prefix) throws IOException
    {
        return delegate.list(prefix);
    }

    @Override
    public boolean delete(final String key) throws IOException
    {
        announce("delete", key);
        return delegate.delete(key);
    }

    @Override
    public String describe()
    {
        return delegate.describe();
    }

    @Override
    public void close() throws IOException
    {
        delegate.close();
    }
}
