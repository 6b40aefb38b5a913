package dev.engram.backup;

import dev.engram.backup.s3.S3Settings;
import dev.engram.backup.s3.S3Storage;

import java.net.URI;

/**
 * {@link LockHolderChild} on S3: takes a lock in the repository at {@code s3://bucket/prefix} of an S3 endpoint
 * (the parent's S3Proxy), prints {@code locked <pid>} and holds it until killed. Args: endpoint, bucket, key prefix,
 * access key, secret key, {@code shared} or {@code exclusive}.
 */
public final class S3LockHolderChild
{
    private S3LockHolderChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final S3Settings settings = S3Settings.forBucket(args[1]).withKeyPrefix(args[2])
            .withEndpoint(URI.create(args[0])).withPathStyle(true).withCredentials(args[3], args[4]);
        LockHolderChild.holdUntilKilled(S3Storage.open(settings), args[5].equals("exclusive"));
    }
}
