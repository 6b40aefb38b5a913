package dev.engram.backup;

import java.util.List;

/**
 * What {@link Backups#verify} found.
 *
 * @param manifests   manifests checked
 * @param packs       packs checked (their presence; with read-data also every chunk in them)
 * @param chunksRead  chunks re-hashed (0 without read-data)
 * @param bytesRead   stored bytes read for that
 * @param problems    what is wrong, each naming the object, the chunk and the backups it breaks
 * @param notes       repairs of the index made in memory (not problems: the index is rebuildable)
 */
public record VerifyReport(int manifests, int packs, long chunksRead, long bytesRead, List<Problem> problems,
    List<String> notes)
{
    /** Whether every backup can be restored. */
    public boolean ok()
    {
        return problems.isEmpty();
    }

    /**
     * One problem.
     *
     * @param key           the object that is missing or damaged (a manifest, a pack)
     * @param chunk         the chunk concerned (64 hex digits), or null for a whole manifest
     * @param what          what is wrong
     * @param brokenBackups ids of the backups whose restore it breaks
     */
    public record Problem(String key, String chunk, String what, List<Long> brokenBackups)
    {
        @Override
        public String toString()
        {
            return key + (chunk == null ? "" : " chunk " + chunk) + ": " + what + "; breaks the restore of backup(s) " +
                brokenBackups;
        }
    }
}
