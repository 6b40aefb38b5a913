package dev.engram.backup.storage;

import java.io.IOException;
import java.util.List;

/**
 * A {@link BackupStorage} that passes every call to another one; tests override what they intercept (a put that
 * fails, a put announced on stdout). In the test-jar, for the fault tests of other storages too.
 */
public class ForwardingStorage implements BackupStorage
{
    protected final BackupStorage delegate;

    public ForwardingStorage(final BackupStorage delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
    {
        return delegate.putIfAbsent(key, bytes);
    }

    @Override
    public byte[] get(final String key) throws IOException
    {
        return delegate.get(key);
    }

    @Override
    public byte[] get(final String key, final long offset, final int length) throws IOException
    {
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
