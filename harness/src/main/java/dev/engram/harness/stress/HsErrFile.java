package dev.engram.harness.stress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fatal error log a crashing HotSpot JVM writes ({@code hs_err_pid<pid>.log}, placed by
 * {@code -XX:ErrorFile}): found in a run's directory and boiled down to one line for reports: the signal,
 * the faulting address, the problematic frame and the top of the crashing thread's stack.
 */
final class HsErrFile
{
    private static final int FRAMES = 10;

    private HsErrFile()
    {
    }

    /**
     * @return the hs_err files in {@code dir} (not recursive).
     */
    static List<Path> find(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("hs_err")).sorted().toList();
        }
    }

    /**
     * @return e.g. {@code SIGSEGV (0xb) at pc=0x...; siginfo: ... si_addr: 0x4fc2; problematic frame: v ~StubRoutines::...;
     * stack: J UnsafeApi.copyMemory <- J AbstractMutableDirectBuffer.putBytes <- ...}.
     */
    static String summarize(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        }
        catch (final IOException ex)
        {
            return "cannot read " + file + ": " + ex.getMessage();
        }
        String error = null;
        String siginfo = null;
        String frame = null;
        String thread = null;
        final List<String> frames = new ArrayList<>();
        final List<String> onStack = new ArrayList<>();
        boolean slots = false;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (error == null && line.startsWith("#  ") && (line.contains("SIG") || line.contains("Internal Error") ||
                line.contains("EXCEPTION") || line.contains("Out of Memory")))
            {
                error = line.substring(1).trim();
            }
            else if (frame == null && line.startsWith("# Problematic frame:") && i + 1 < lines.size())
            {
                frame = lines.get(i + 1).substring(1).trim();
            }
            else if (thread == null && line.startsWith("Current thread") && line.indexOf('"') > 0)
            {
                thread = line.substring(line.indexOf('"'), line.indexOf('"', line.indexOf('"') + 1) + 1);
            }
            else if (line.startsWith("Stack slot to memory mapping:"))
            {
                slots = true;
            }
            else if (slots && line.startsWith("Compiled method") && onStack.size() < FRAMES)
            {
                final String[] parts = line.trim().split("\\s+");
                final String method = (parts.length >= 3 ? parts[parts.length - 3] : line).replaceFirst("^.*\\.", "");
                if (!onStack.contains(method))
                {
                    onStack.add(method);
                }
            }
            else if (siginfo == null && line.startsWith("siginfo:"))
            {
                siginfo = line.trim();
            }
            else if (frames.isEmpty() && (line.startsWith("Native frames:") || line.startsWith("Java frames:")))
            {
                for (int j = i + 1; j < lines.size() && frames.size() < FRAMES; j++)
                {
                    final String f = lines.get(j);
                    if (f.isBlank())
                    {
                        break;
                    }
                    frames.add(shorten(f));
                }
            }
        }
        final StringBuilder sb = new StringBuilder(error == null ? "fatal error" : error);
        if (siginfo != null)
        {
            sb.append("; ").append(siginfo);
        }
        if (frame != null)
        {
            sb.append("; problematic frame: ").append(frame);
        }
        if (thread != null)
        {
            sb.append("; thread ").append(thread);
        }
        if (!frames.isEmpty())
        {
            sb.append("; stack: ").append(String.join(" <- ", frames));
        }
        if (frames.size() <= 1 && !onStack.isEmpty())
        {
            // a crash in a stub: HotSpot cannot walk further, but the stack slots name the compiled callers
            sb.append("; compiled methods on the stack: ").append(String.join(", ", onStack));
        }
        return sb.append(" (").append(file).append(')').toString();
    }

    /**
     * @return {@code J 812 c2 dev.engram.recovery.internal.overlay.OverlayReader.read(Lorg/...;)...} as {@code J OverlayReader.read}.
     */
    private static String shorten(final String frame)
    {
        final String[] parts = frame.trim().split("\\s+");
        for (final String part : parts)
        {
            final int paren = part.indexOf('(');
            final String name = paren > 0 ? part.substring(0, paren) : part;
            if (name.contains(".") && !name.startsWith("0x") && Character.isLetter(name.charAt(0)))
            {
                final String[] segments = name.split("\\.");
                return parts[0] + " " + (segments.length >= 2 ?
                    segments[segments.length - 2] + "." + segments[segments.length - 1] : name);
            }
        }
        return frame.trim();
    }
}
