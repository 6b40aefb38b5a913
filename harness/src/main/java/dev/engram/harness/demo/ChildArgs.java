package dev.engram.harness.demo;

import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name=value} arguments the demo passes to its child JVMs (workers and recoverers).
 */
final class ChildArgs
{
    private final Map<String, String> values = new LinkedHashMap<>();

    ChildArgs put(final String name, final Object value)
    {
        values.put(name, String.valueOf(value));
        return this;
    }

    /** Put the world's sizes as {@code --populations=N --population-bytes=N --users=N --steps-per-cycle=N}. */
    ChildArgs putSizes(final Sizes sizes)
    {
        return put("populations", sizes.populations()).put("population-bytes", sizes.populationBytes())
            .put("users", sizes.users()).put("steps-per-cycle", sizes.stepsPerCycle());
    }

    /** @return the sizes {@link #putSizes(Sizes)} put. */
    Sizes sizes()
    {
        return new Sizes((int)getLong("populations"), (int)getLong("population-bytes"), (int)getLong("users"),
            (int)getLong("steps-per-cycle"));
    }

    static ChildArgs parse(final String[] args)
    {
        final ChildArgs parsed = new ChildArgs();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0)
            {
                throw new IllegalArgumentException("child argument=" + arg + " is not --name=value");
            }
            parsed.values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return parsed;
    }

    String get(final String name)
    {
        final String value = values.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException("child argument --" + name + " is missing: have " + values.keySet());
        }
        return value;
    }

    long getLong(final String name)
    {
        return Long.parseLong(get(name));
    }

    List<String> toArgs()
    {
        final List<String> args = new ArrayList<>();
        values.forEach((name, value) -> args.add("--" + name + "=" + value));
        return args;
    }
}
