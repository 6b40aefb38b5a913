package dev.engram.engine;

/**
 * Stands for a later build of the application whose population header is at schema version 3: the
 * version-2 header plus the id of the population it was forked from.
 */
record PopulationHeaderV3(PopulationHeader header, int parentPopulationId)
{
    static final int NO_PARENT = -1;
}
