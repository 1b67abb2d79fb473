/**
 * `npm run audit:verify [-- --bucket NAME --table NAME] [--data-dir .local]`: walks the manifest
 * chain from the anchored head, re-hashes every object, checks signatures and locations.
 * Prints one line per problem and a summary; exits 0 only when the archive is intact.
 */
import { parseCommandLine, usageError } from './command-line.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoManifestHeadStore } from '../functions/adapters/dynamodb-archive-state.js';
import { createKmsClient, KmsManifestSigner } from '../functions/adapters/kms-signer.js';
import { LocalKeyManifestSigner } from '../functions/adapters/local-key-signer.js';
import { createArchiveS3Client, S3ArchiveStore } from '../functions/adapters/s3-archive-store.js';
import { verifyArchive, type VerifyReport } from '../functions/archive/verify-archive.js';
import { ENV } from '../functions/config/environment.js';
import { openLocalArchive } from '../local/archive-runtime.js';
import { DEFAULT_LOCAL_DIR, localArchivePaths } from '../local/s3-local.js';

// The SDK's Node 20 deprecation notice would clutter every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `
usage: npm run audit:verify [-- --data-dir ${DEFAULT_LOCAL_DIR}] [--json]
       npm run audit:verify -- --bucket NAME --table NAME [--json]

Walks the manifest chain from its anchored head, re-hashes every archived object and checks
signatures and locations: the local archive, or a deployed bucket with --bucket.
  --data-dir DIR   the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
  --bucket NAME    verify the deployed archive bucket (AWS credentials from the environment)
  --table NAME     the table anchoring the chain head (or TABLE_NAME), with --bucket
  --json           the full report as JSON
  -h, --help       this text
Exit status: 0 intact, 1 problems found, 2 the check could not run.
`;

const { values, positionals } = parseCommandLine(USAGE, {
  bucket: { type: 'string' },
  table: { type: 'string' },
  'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR },
  json: { type: 'boolean', default: false },
});
if (positionals.length > 0) usageError(USAGE, `unexpected argument: ${positionals[0]}`);

async function run(): Promise<VerifyReport> {
  if (values.bucket) {
    const tableName = values.table ?? process.env[ENV.tableName];
    if (!tableName) throw new Error('--table NAME (or TABLE_NAME) is required with --bucket: the chain head is anchored there');
    const kms = new KmsManifestSigner(createKmsClient(), 'unused-for-verification');
    const dynamodb = new DynamoDBClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });
    const store = new S3ArchiveStore(createArchiveS3Client(), values.bucket);
    return verifyArchive({ reader: store, keys: kms, head: await new DynamoManifestHeadStore(dynamodb, tableName).get() });
  }
  const dataDir = values['data-dir'];
  const archive = await openLocalArchive(dataDir, { dynamodb: true });
  try {
    const keys = new LocalKeyManifestSigner(localArchivePaths(dataDir).signingKeyFile);
    const head = await new DynamoManifestHeadStore(archive.dynamodb, archive.tableName).get();
    return await verifyArchive({ reader: archive.store, keys, head });
  } finally {
    await archive.close();
  }
}

run().then(
  (report) => {
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      for (const problem of report.problems) console.log(`${problem.kind.toUpperCase().padEnd(24)} ${problem.key}  ${problem.detail}`);
      for (const key of report.pending) console.log(`${'PENDING'.padEnd(24)} ${key}  archived after the newest manifest`);
      console.log(report.summary);
    }
    process.exitCode = report.ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
