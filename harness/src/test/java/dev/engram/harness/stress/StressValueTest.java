package dev.engram.harness.stress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class StressValueTest
{
    private final StressValue codec = new StressValue();
    private final long hash = StressValue.keyHash("base/00001");

    @Test
    void shouldAcceptAPutValueAndAPatchedOne()
    {
        final byte[] value = codec.value(hash, 3, 10);
        assertNull(codec.check("base/00001", hash, value, 10, 10));
        assertEquals(10, codec.maxStamp());
        final byte[] region = codec.region(hash, 1, 3, 10, 12);
        System.arraycopy(region, 0, value, StressValue.REGION_LENGTH, region.length);
        assertNull(codec.check("base/00001", hash, value, 11, 12));
        assertEquals(12, codec.maxStamp());
    }

    @Test
    void shouldDetectATornRegion()
    {
        final byte[] value = codec.value(hash, 2, 10);
        value[StressValue.REGION_LENGTH + 40] ^= 1;
        assertTrue(codec.check("base/00001", hash, value, 0, 10).contains("torn"));
    }

    @Test
    void shouldDetectBytesOfTwoPuts()
    {
        final byte[] value = codec.value(hash, 2, 10);
        final byte[] newer = codec.value(hash, 2, 20);
        System.arraycopy(newer, StressValue.REGION_LENGTH, value, StressValue.REGION_LENGTH, StressValue.REGION_LENGTH);
        assertTrue(codec.check("base/00001", hash, value, 0, 20).contains("mixed versions"));
    }

    @Test
    void shouldDetectHalfARegionOfAnotherVersion()
    {
        final byte[] value = codec.value(hash, 1, 10);
        final byte[] newer = codec.value(hash, 1, 11);
        System.arraycopy(newer, 0, value, 0, 20);
        assertTrue(codec.check("base/00001", hash, value, 0, 11).contains("torn"));
    }

    @Test
    void shouldDetectAnotherKeysValue()
    {
        final byte[] other = codec.value(StressValue.keyHash("base/00002"), 2, 10);
        assertTrue(codec.check("base/00001", hash, other, 0, 10).contains("another key"));
    }

    @Test
    void shouldDetectAWrongLengthOrARegionOutOfPlace()
    {
        final byte[] value = codec.value(hash, 2, 10);
        assertTrue(codec.check("base/00001", hash, java.util.Arrays.copyOf(value, 100), 0, 10).contains("length"));
        assertTrue(codec.check("base/00001", hash, java.util.Arrays.copyOf(value, StressValue.REGION_LENGTH), 0, 10)
            .contains("region 0 of 2"));
        assertTrue(codec.check("base/00001", hash, new byte[0], 0, 10).contains("length"));
    }

    @Test
    void shouldDetectAStaleValueAndAStampNeverIssued()
    {
        final byte[] value = codec.value(hash, 2, 10);
        assertTrue(codec.check("base/00001", hash, value, 11, 20).contains("stale"));
        assertTrue(codec.check("base/00001", hash, value, 0, 9).contains("outside"));
    }
}
