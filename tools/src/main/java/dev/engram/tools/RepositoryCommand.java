package dev.engram.tools;

import dev.engram.backup.BackupInfo;
import dev.engram.backup.BackupSettings;
import dev.engram.backup.Backups;
import dev.engram.backup.RepositoryKey;
import dev.engram.backup.s3.S3Settings;
import dev.engram.backup.s3.S3Storage;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What the backup commands share ({@code backup restore backups verify-backup prune backup-locks
 * backup-unlock}, docs/backup.md): a backup
 * repository in a local directory or at {@code s3://bucket/prefix} (with the {@code --s3-*} options; credentials
 * from the options or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, nothing else looked up), the key of an encrypted one
 * ({@code --password-file}, {@code --key-file} or the files ENGRAM_BACKUP_PASSWORD_FILE/ENGRAM_BACKUP_KEY_FILE name;
 * never a secret on the command line), {@code --json}, and how a backup is printed.
 */
abstract class RepositoryCommand implements Callable<Integer>
{
    static final String REPO_HELP = "the repository: a directory, or s3://bucket/prefix";
    static final String PASSWORD_FILE_ENV = "ENGRAM_BACKUP_PASSWORD_FILE";
    static final String KEY_FILE_ENV = "ENGRAM_BACKUP_KEY_FILE";

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--s3-endpoint", paramLabel = "URI", description = "S3 endpoint of an s3:// repository, e.g. " +
        "http://127.0.0.1:9000 (path-style requests); default: AWS's endpoint for the region")
    URI s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", defaultValue = S3Settings.DEFAULT_REGION,
        description = "signing region of an s3:// repository (default ${DEFAULT-VALUE})")
    String s3Region;

    @Option(names = "--s3-access-key", paramLabel = "ID", description = "access key id (default: AWS_ACCESS_KEY_ID)")
    String s3AccessKey;

    @Option(names = "--s3-secret-key", paramLabel = "SECRET",
        description = "secret access key (default: AWS_SECRET_ACCESS_KEY; the variable keeps it out of ps)")
    String s3SecretKey;

    @Option(names = "--password-file", paramLabel = "FILE", description = "an encrypted repository's passphrase: " +
        "the file's UTF-8 text without its trailing line end (default: the file ENGRAM_BACKUP_PASSWORD_FILE names; " +
        "never a passphrase on the command line). backup into a new repository with it creates an encrypted one")
    Path passwordFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "an encrypted repository's key file: at least " +
        "32 random bytes (default: the file ENGRAM_BACKUP_KEY_FILE names)")
    Path keyFile;

    @Option(names = "--kdf-iterations", paramLabel = "N", defaultValue = "" + RepositoryKey.DEFAULT_ITERATIONS,
        description = "PBKDF2 iterations of a passphrase key this command creates (default ${DEFAULT-VALUE})")
    int kdfIterations;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The repository: a directory (created with the repository by {@code backup} if missing) or s3://bucket/prefix. */
    abstract String repository();

    abstract int run(Backups backups) throws Exception;

    @Override
    public final Integer call() throws Exception
    {
        try (Backups backups = Backups.open(storage(), BackupSettings.defaults(), key()))
        {
            return run(backups);
        }
    }

    /** The repository's key: --password-file, --key-file, or the file an environment variable names; null: none. */
    RepositoryKey key() throws java.io.IOException
    {
        return key(passwordFile, keyFile, "--password-file", "--key-file", kdfIterations, true);
    }

    static RepositoryKey key(final Path password, final Path key, final String passwordOption,
        final String keyOption, final int iterations, final boolean environment) throws java.io.IOException
    {
        if (password != null && key != null)
        {
            throw new IllegalArgumentException("give " + passwordOption + " or " + keyOption + ", not both");
        }
        if (password != null)
        {
            return RepositoryKey.passphraseFile(password, iterations);
        }
        if (key != null)
        {
            return RepositoryKey.keyFile(key);
        }
        if (environment)
        {
            final String passwordEnv = System.getenv(PASSWORD_FILE_ENV);
            final String keyEnv = System.getenv(KEY_FILE_ENV);
            if (passwordEnv != null && !passwordEnv.isEmpty())
            {
                return RepositoryKey.passphraseFile(Path.of(passwordEnv), iterations);
            }
            if (keyEnv != null && !keyEnv.isEmpty())
            {
                return RepositoryKey.keyFile(Path.of(keyEnv));
            }
        }
        return null;
    }

    private BackupStorage storage() throws java.io.IOException
    {
        final String repo = repository();
        if (!repo.startsWith("s3://"))
        {
            return LocalDirectoryStorage.open(Path.of(repo));
        }
        final String accessKey = s3AccessKey != null ? s3AccessKey : System.getenv("AWS_ACCESS_KEY_ID");
        final String secretKey = s3SecretKey != null ? s3SecretKey : System.getenv("AWS_SECRET_ACCESS_KEY");
        if (accessKey == null || secretKey == null)
        {
            throw new IllegalArgumentException("no credentials for " + repo + ": set AWS_ACCESS_KEY_ID and " +
                "AWS_SECRET_ACCESS_KEY, or give --s3-access-key and --s3-secret-key");
        }
        return S3Storage.open(S3Settings.forUri(repo).withEndpoint(s3Endpoint).withPathStyle(s3Endpoint != null)
            .withRegion(s3Region).withCredentials(accessKey, secretKey));
    }

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    PrintWriter err()
    {
        return spec.commandLine().getErr();
    }

    static Json backup(final Json json, final BackupInfo info)
    {
        return json.beginObject().field("id", info.id()).field("parent", info.parentId())
            .field("chainPosition", info.chainPosition()).field("stateVersion", info.stateVersion())
            .field("created", info.created().toString()).field("files", info.files())
            .field("rawBytes", info.rawBytes()).field("chunks", info.chunks())
            .field("bytesWritten", info.bytesWritten()).field("merkleRoot", info.merkleRoot()).endObject();
    }

    static String line(final BackupInfo info)
    {
        return String.format(java.util.Locale.ROOT, "%6d  %s  version %-10d %4d files %12s raw %12s written  parent %d",
            info.id(), info.created(), info.stateVersion(), info.files(), Sizes.bytes(info.rawBytes()),
            Sizes.bytes(info.bytesWritten()), info.parentId());
    }
}
