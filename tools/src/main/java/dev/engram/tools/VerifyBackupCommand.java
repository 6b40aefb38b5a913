package dev.engram.tools;

import dev.engram.backup.Backups;
import dev.engram.backup.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/**
 * {@code engram verify-backup REPO [--read-data]}: the repository checked; exit 1 if anything is missing or damaged.
 */
@Command(name = "verify-backup", mixinStandardHelpOptions = true,
    description = "Check a backup repository: every manifest and its Merkle root, every chunk present; with " +
        "--read-data every chunk re-hashed. Each problem names the object, the chunk and the backups it breaks. " +
        "Exit 1 if there is one.")
final class VerifyBackupCommand extends RepositoryCommand
{
    @Parameters(index = "0", paramLabel = "REPO", description = REPO_HELP)
    String repo;

    @Option(names = "--read-data", description = "read, decode and re-hash every chunk")
    boolean readData;

    @Option(names = "--progress", description = "progress on stderr: bytes, files, chunks, rate, ETA (default: when " +
        "stderr is a terminal); never on stdout")
    boolean progress;

    @Override
    String repository()
    {
        return repo;
    }

    @Override
    int run(final Backups backups) throws Exception
    {
        final BackupProgressLine line = BackupProgressLine.on(err(), progress);
        final VerifyReport report;
        try
        {
            report = backups.verify(readData, line);
        }
        finally
        {
            line.end();
        }
        if (json)
        {
            final Json out = new Json().beginObject().field("ok", report.ok()).field("manifests", report.manifests())
                .field("packs", report.packs()).field("chunksRead", report.chunksRead())
                .field("bytesRead", report.bytesRead()).name("problems").beginArray();
            for (final VerifyReport.Problem problem : report.problems())
            {
                out.beginObject().field("key", problem.key()).field("chunk", problem.chunk())
                    .field("what", problem.what()).name("brokenBackups").beginArray();
                problem.brokenBackups().forEach(out::value);
                out.endArray().endObject();
            }
            out.endArray().name("notes").beginArray();
            report.notes().forEach(out::value);
            out().println(line.totals(out.endArray()).endObject());
        }
        else
        {
            out().println("verify-backup " + repo + (readData ? " (read-data)" : "") + ": " + report.manifests() +
                " backups, " + report.packs() + " packs" + (readData ? ", " + Sizes.count(report.chunksRead()) +
                " chunks, " + Sizes.bytes(report.bytesRead()) + " read" : ""));
            report.notes().forEach(note -> out().println("  note     " + note));
            report.problems().forEach(problem -> out().println("  PROBLEM  " + problem));
            out().println(report.ok() ? "OK" : "PROBLEMS: " + report.problems().size());
        }
        out().flush();
        return report.ok() ? EngramCli.OK : EngramCli.DAMAGE;
    }
}
