package dev.engram.recovery;

/**
 * A key quarantined because a journal frame that changed it could not be applied (see
 * {@link QuarantinedKeyException}).
 *
 * @param key     the key.
 * @param version the version of the frame that could not be applied.
 * @param reason  what could not be applied and where the frame is.
 */
public record QuarantinedKey(String key, long version, String reason)
{
}
