package dev.engram.journal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child of {@link JvmFlagsCheckTest}: opens a journal in {@code args[0]} (with {@link Journal#open} when
 * {@code args[1]} is {@code open}, {@link Journal#openInBackground} when it is {@code background}) and prints
 * {@code REFUSED}, the exception's missing flags one per line, a line {@code DIRECTORY_EXISTS=<bool>}, then the
 * message; or {@code OPENED} if the open went through. Exits 0 either way, 1 on any other outcome.
 */
public final class JvmFlagsChild
{
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final JournalContext ctx = new JournalContext().directory(dir);
        try
        {
            final Journal journal = "background".equals(args[1]) ? Journal.openInBackground(ctx, 0) : Journal.open(ctx);
            journal.close();
            System.out.println("OPENED");
        }
        catch (final EngramJvmFlagsException ex)
        {
            System.out.println("REFUSED");
            ex.missingFlags().forEach(flag -> System.out.println("MISSING " + flag));
            System.out.println("DIRECTORY_EXISTS=" + Files.exists(dir));
            System.out.println(ex.getMessage());
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
