package dev.engram.recovery.internal.chain;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the 80-byte seal file ({@code <map file>.seal}) that vouches for one immutable Chronicle Map
 * file (a catalog or a key-location index). The map file is trusted only if its length and CRC32C equal
 * the seal's. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMSEL" (8 ASCII bytes)             |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |  8
 *  +---------------------------------------------------------------+
 *  |             Kind (u32: 1 catalog, 2 key-location index)       | 12
 *  +---------------------------------------------------------------+
 *  |   Owner Id (u64: catalog: newest checkpoint id it lists;      | 16
 *  |             key index: the chain head's checkpoint id)        |
 *  +---------------------------------------------------------------+
 *  |        Base Id (u64: key index: the chain's full base)        | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       Chain Ordinal (u32: key index: the head's ordinal)      | 32
 *  +---------------------------------------------------------------+
 *  |              Map File CRC32C (u32, whole file)                | 36
 *  +---------------------------------------------------------------+
 *  |             Entry Count (u64, entries in the map)             | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Capacity (u64, entries the map was sized for)        | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Map File Length (u64)                       | 56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Created (u64, epoch ms)                    | 64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Reserved (u32, 0)                       | 72
 *  +---------------------------------------------------------------+
 *  |             Seal CRC32C (u32, over bytes [0, 76))             | 76
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MapSealDescriptor
{
    public static final byte[] MAGIC = "ENGRMSEL".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;
    public static final int KIND_CATALOG = 1;
    public static final int KIND_KEY_INDEX = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int KIND_OFFSET = 12;
    public static final int OWNER_ID_OFFSET = 16;
    public static final int BASE_ID_OFFSET = 24;
    public static final int CHAIN_ORDINAL_OFFSET = 32;
    public static final int MAP_FILE_CRC_OFFSET = 36;
    public static final int ENTRY_COUNT_OFFSET = 40;
    public static final int CAPACITY_OFFSET = 48;
    public static final int MAP_FILE_LENGTH_OFFSET = 56;
    public static final int CREATED_EPOCH_MS_OFFSET = 64;
    public static final int RESERVED_OFFSET = 72;
    public static final int SEAL_CRC_OFFSET = 76;
    public static final int SEAL_LENGTH = 80;

    private MapSealDescriptor()
    {
    }
}
