package dev.engram.examples.consciousness;

/**
 * Layout of a {@link PopulationHeader} payload (codec {@link PopulationHeaderCodec#ID}). All integers and
 * floating-point numbers are little-endian (doubles as IEEE 754 bits). Schema version 2 is version 1
 * with one field appended; the length tells them apart as a check, the envelope's schema version says
 * which one it is.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Generation (long)                        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Last Evolution (long, epoch ms)                  |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Fitness Average (double)                    | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Diversity Index (double)                    | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Size (int)                            | 32
 *  +---------------------------------------------------------------+
 *  |                    Active Neurons (int)                       | 36
 *  +---------------------------------------------------------------+
 *  |                    Specialization (int)                       | 40
 *  +---------------------------------------------------------------+  44: end of version 1
 *  |                 Mutation Rate (double, v2)                    | 44
 *  |                                                               |
 *  +---------------------------------------------------------------+  52: end of version 2
 * </pre>
 */
public final class PopulationHeaderDescriptor
{
    public static final int GENERATION_OFFSET = 0;
    public static final int LAST_EVOLUTION_MS_OFFSET = 8;
    public static final int FITNESS_AVERAGE_OFFSET = 16;
    public static final int DIVERSITY_INDEX_OFFSET = 24;
    public static final int SIZE_OFFSET = 32;
    public static final int ACTIVE_NEURONS_OFFSET = 36;
    public static final int SPECIALIZATION_OFFSET = 40;
    /** Length of a schema version 1 payload. */
    public static final int V1_LENGTH = 44;
    public static final int MUTATION_RATE_OFFSET = 44;
    /** Length of a schema version 2 payload. */
    public static final int V2_LENGTH = 52;

    private PopulationHeaderDescriptor()
    {
    }
}
