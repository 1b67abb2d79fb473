/**
 * `npm run archive:redrive -- --all | --key KEY [--dry-run]`: replays the stream batches the
 * archiver gave up on (failure records in its on-failure bucket) into the archiver. Locally it
 * reads the local failure bucket (`--data-dir`); in AWS give the stack outputs
 * (`--failure-bucket --archive-bucket --table`, region from AWS_REGION). Idempotent: a record
 * replayed twice, or a batch partly archived before it failed, archives nothing twice.
 */
import { parseArgs } from 'node:util';
import { DynamoArchiveBatchLedger } from '../functions/adapters/dynamo-archive-batches.js';
import { createDocumentClient } from '../functions/adapters/dynamo-client.js';
import { createArchiveS3Client, S3ArchiveStore } from '../functions/adapters/s3-archive-store.js';
import { S3FailureRecords } from '../functions/adapters/s3-failure-records.js';
import { parseFailureRecord } from '../functions/archive/failure-record.js';
import { redriveBatch } from '../functions/archive/redrive.js';
import { createHandler } from '../functions/jobs/archiver.js';
import { invocationLogger } from '../functions/observability/logger.js';
import { openLocalArchive } from '../local/archive-runtime.js';
import { DEFAULT_LOCAL_DIR } from '../local/s3-local.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm run archive:redrive -- (--all | --key KEY) [options]

Replays stream batches the archiver gave up on into the archiver, from the failure
records in its on-failure bucket (each holds the whole invocation payload).

  --all                 every failure record not re-driven yet (oldest first)
  --key KEY             one failure record (aws/lambda/<mapping>/<shard>/...)
  --dry-run             list what would be re-driven, change nothing
  --force               re-drive records already marked as re-driven (harmless: idempotent)

Local (default): --data-dir DIR  the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
AWS:   --failure-bucket NAME --archive-bucket NAME --table NAME  (stack outputs;
       AWS_REGION must be set: the region is never guessed)
  -h, --help            this text

Exit code: 0 all re-driven, 1 a record failed again, 2 the command could not run.`;

const { values } = parseArgs({
  options: {
    all: { type: 'boolean', default: false },
    key: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR },
    'failure-bucket': { type: 'string' },
    'archive-bucket': { type: 'string' },
    table: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

interface Target {
  readonly failures: S3FailureRecords;
  readonly archiver: ReturnType<typeof createHandler>;
  close(): Promise<void>;
}

async function openTarget(): Promise<Target> {
  // Errors only: the archiver's per-batch info lines would bury the command's own report.
  const errors = invocationLogger({ route: 'archive:redrive' });
  const log = { info: () => {}, error: (message: string, details?: Record<string, unknown>) => errors.error(message, details ?? {}) };
  if (values['failure-bucket'] || values['archive-bucket'] || values.table) {
    const [failureBucket, archiveBucket, table] = [values['failure-bucket'], values['archive-bucket'], values.table];
    if (!failureBucket || !archiveBucket || !table) throw new Error('AWS mode needs all of --failure-bucket, --archive-bucket and --table (stack outputs)');
    const region = process.env['AWS_REGION'];
    if (!region) throw new Error('AWS_REGION is not set: export the stage\'s region (docs/deploy.md) instead of letting the SDK guess');
    const s3 = createArchiveS3Client({ region });
    return {
      failures: new S3FailureRecords(s3, failureBucket),
      archiver: createHandler({
        writer: new S3ArchiveStore(s3, archiveBucket),
        batches: new DynamoArchiveBatchLedger(createDocumentClient({ region }), table),
        log,
      }),
      close: async () => s3.destroy(),
    };
  }
  const archive = await openLocalArchive(values['data-dir']!, { dynamodb: true });
  return {
    failures: archive.failures,
    archiver: createHandler({
      writer: archive.store,
      batches: new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(archive.dynamodb, { marshallOptions: { removeUndefinedValues: true } }), archive.tableName),
      log,
    }),
    close: () => archive.close(),
  };
}

async function main(): Promise<number> {
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.all && !values.key) throw new Error('say which records: --all or --key KEY (see --help)');
  const target = await openTarget();
  try {
    const keys = values.key ? [values.key] : await target.failures.keys();
    let failed = 0;
    let redriven = 0;
    for (const key of keys) {
      if (!values.force && (await target.failures.isRedriven(key))) {
        if (values.key) console.log(`SKIPPED   ${key}  already re-driven (--force to replay again)`);
        continue;
      }
      try {
        const body = await target.failures.get(key);
        if (!body) throw new Error(`no failure record ${key}`);
        const { record, event } = parseFailureRecord(body);
        const range = `${record.DDBStreamBatchInfo.startSequenceNumber}..${record.DDBStreamBatchInfo.endSequenceNumber}`;
        if (values['dry-run']) {
          console.log(`WOULD     ${key}  ${event.Records.length} records ${range}`);
          continue;
        }
        const result = await redriveBatch(event, target.archiver);
        await target.failures.markRedriven(key, { at: new Date().toISOString(), ...result });
        redriven++;
        console.log(`REDRIVEN  ${key}  ${result.records} records ${range} in ${result.invocations} invocation(s)`);
      } catch (error) {
        failed++;
        console.log(`FAILED    ${key}  ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    console.log(`archive:redrive: ${redriven} re-driven, ${failed} failed, ${keys.length} failure record(s) in ${target.failures.bucket}`);
    return failed > 0 ? 1 : 0;
  } finally {
    await target.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`archive:redrive could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
