package dev.engram.replica.internal;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis properties of a node (docs/replication.md, "Settings"): gRPC bound to the configured host only (server,
 * admin and client services share its port), the election and request timeouts, entry size limits large enough for
 * the largest batch, linearizable (ReadIndex) read requests, automatic snapshots every {@code snapshotEveryEntries} applied entries, the leader's snapshot
 * install to a follower whose next entry was purged, and the log purged up to the latest snapshot; and the Ratis
 * parameters: mutual TLS on the gRPC transport when the node has TLS material.
 */
public final class RaftSetup
{
    /** Pairs of (sleep, attempts): 10 at once, 10 after 100 ms, then every 500 ms. */
    static final String APPENDER_RETRY_POLICY = "1ms,10,100ms,10,500ms,100000000";

    private RaftSetup()
    {
    }

    /**
     * @return the properties.
     */
    public static RaftProperties properties(final File storageDir, final String bindHost, final int port,
        final Duration electionMin, final Duration electionMax, final Duration requestTimeout, final int maxBatchBytes,
        final long snapshotEveryEntries, final long segmentBytes, final int purgeGap)
    {
        final RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
        GrpcConfigKeys.Server.setHost(p, bindHost);
        GrpcConfigKeys.Server.setPort(p, port);
        GrpcConfigKeys.Admin.setHost(p, bindHost);
        GrpcConfigKeys.Client.setHost(p, bindHost);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(electionMin));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(electionMax));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(requestTimeout));
        // a read request is linearizable (ReadIndex: the leader confirms with a majority that it still leads, the node
        // waits until it applied the leader's commit index, then the state machine's query answers); Ratis' default
        // answers a read on the leader without that check, which a deposed leader would answer from stale state
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(p, millis(requestTimeout));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, snapshotEveryEntries > 0);
        if (snapshotEveryEntries > 0)
        {
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEveryEntries);
        }
        // a follower whose next entry the leader purged gets the leader's snapshot files (EngramSnapshotDir)
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, purgeGap);
        // a node that was down is probed every 0.5 s after the first second (Ratis' default backs off to 5 s, so a
        // restarted follower could wait that long before the leader sends it anything)
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
        // a follower appends each appendEntries request on its own: with Ratis' default (compose) it chains every
        // append on the one before, and one failed append (e.g. two run at once from two of the leader's streams,
        // which Ratis' log refuses) left the chain failed for good: the follower failed every later append, from any
        // leader, until it restarted, while it kept answering heartbeats (docs/replication.md, "Soak", run 3;
        // FollowerAppendFailureTest)
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
        // the appender's pause between two appendEntries calls (Ratis' default 10 ms put ~20 ms under every commit)
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
        final long entry = (long)maxBatchBytes + 64 * 1024;
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(Math.max(4L << 20, entry)));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(Math.max(8L << 20, 2 * entry)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(Math.max(segmentBytes, entry)));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(Math.max(64L << 20, 2 * entry)));
        return p;
    }

    /**
     * @param tls the node's TLS material, or null for plaintext.
     * @return Ratis' parameters: with TLS, one mutual-TLS configuration for the server port (the server, admin and
     * client services share it) and for this node's own connections to its peers (Ratis' default TLS configuration,
     * which the server, admin and client ones fall back to).
     */
    public static Parameters parameters(final TlsMaterial tls)
    {
        final Parameters parameters = new Parameters();
        if (tls != null)
        {
            GrpcConfigKeys.TLS.setConf(parameters, tls.grpcConfig());
        }
        return parameters;
    }

    private static TimeDuration millis(final Duration d)
    {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}
