package dev.engram.harness.stress;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The suite's scenarios by name, in the order a full run takes them.
 */
final class StressScenarios
{
    private StressScenarios()
    {
    }

    /**
     * @return the scenarios of a full run.
     */
    static List<StressScenario> all()
    {
        return List.of(
            new GetRacingUpdates(),
            new CloseWhileReading(),
            new CheckpointRacingClose(),
            new NestedReadsDuringCheckpoints(),
            new IterationExactlyOnce(),
            new MixedInterleaving(),
            new CloseDuringAfterOpenChecks());
    }

    /**
     * @return the scenario called {@code name} (the suite's, or the harness self-test).
     * @throws IllegalArgumentException naming the known scenarios if there is none.
     */
    static StressScenario named(final String name)
    {
        return Stream.concat(all().stream(), Stream.of(new SelfTestCrash()))
            .filter(s -> s.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + name + "': known are " +
                all().stream().map(StressScenario::name).collect(Collectors.joining(", "))));
    }
}
