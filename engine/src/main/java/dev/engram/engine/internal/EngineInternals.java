package dev.engram.engine.internal;

import dev.engram.engine.Engram;
import dev.engram.recovery.StateStore;

import java.util.function.Function;

/**
 * Not API: the store underneath an {@link Engram}, for the project's own benchmarks, harnesses and tests (a reader of
 * the calling thread, ring and overlay figures). Applications use {@code Engram}'s methods: closing the store or its
 * journal from here would close the engine underneath it. The engine hands its accessor over once, as its class
 * initialises (the JDK's shared-secrets pattern), so {@code Engram} itself has no public {@code store()}.
 */
public final class EngineInternals
{
    private static volatile Function<Engram, StateStore> access;

    private EngineInternals()
    {
    }

    /**
     * Called once by {@link Engram}'s class initialiser.
     *
     * @throws IllegalStateException if called again.
     */
    public static synchronized void grant(final Function<Engram, StateStore> storeOf)
    {
        if (access != null)
        {
            throw new IllegalStateException("EngineInternals access is granted once, by Engram");
        }
        access = storeOf;
    }

    /**
     * @return the store underneath {@code engram} (owned by it: never close it).
     */
    public static StateStore store(final Engram engram)
    {
        return access.apply(engram);   // Engram's class is initialised: an instance exists
    }
}
