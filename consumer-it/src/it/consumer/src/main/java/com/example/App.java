package com.example;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.SyncPolicy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Open, commit, read; close; reopen and read again. */
public final class App
{
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args.length > 0 ? args[0] : "state");
        final long version;
        try (Engram engram = Engram.open(dir, new EngramContext().syncPolicy(SyncPolicy.PERIODIC)))
        {
            version = engram.delta().put("user/42", "hello".getBytes(StandardCharsets.UTF_8)).commit();
            if (!engram.awaitApplied(version, 30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("version " + version + " not applied within 30 s");
            }
            check(engram.get("user/42"), "after commit");
        }
        try (Engram engram = Engram.open(dir))
        {
            check(engram.get("user/42"), "after reopen");
            System.out.println("ENGRAM-APP OK version=" + version + " recovered=" + engram.appliedVersion());
        }
        System.out.println("ENGRAM-APP chronicle-core from " +
            net.openhft.chronicle.core.Jvm.class.getProtectionDomain().getCodeSource().getLocation());
    }

    private static void check(final byte[] value, final String when)
    {
        if (value == null || !"hello".equals(new String(value, StandardCharsets.UTF_8)))
        {
            throw new IllegalStateException("user/42 " + when + ": " + (value == null ? "null" : new String(value, StandardCharsets.UTF_8)));
        }
    }
}
