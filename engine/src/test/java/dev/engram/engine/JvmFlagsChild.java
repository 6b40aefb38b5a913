package dev.engram.engine;

import dev.engram.journal.EngramJvmFlagsException;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateStore;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child of {@link EngramJvmFlagsTest}: {@code Engram.open} in {@code args[0]/engram}, then {@code StateStore.open}
 * in {@code args[0]/store}; for each prints {@code <entry> REFUSED missing=<n> exists=<bool>} (or {@code OPENED}),
 * then the first message. Exits 0 unless something else was thrown.
 */
public final class JvmFlagsChild
{
    public static void main(final String[] args)
    {
        final Path root = Path.of(args[0]);
        String message = null;
        try
        {
            final Path dir = root.resolve("engram");
            try
            {
                Engram.open(dir).close();
                System.out.println("Engram.open OPENED");
            }
            catch (final EngramJvmFlagsException ex)
            {
                System.out.println("Engram.open REFUSED missing=" + ex.missingFlags().size() + " exists=" + Files.exists(dir));
                message = ex.getMessage();
            }
            final Path storeDir = root.resolve("store");
            try
            {
                StateStore.open(new StateContext().directory(storeDir)).close();
                System.out.println("StateStore.open OPENED");
            }
            catch (final EngramJvmFlagsException ex)
            {
                System.out.println("StateStore.open REFUSED missing=" + ex.missingFlags().size() + " exists=" + Files.exists(storeDir));
            }
            System.out.println(message);
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
