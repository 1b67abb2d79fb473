/**
 * `npm run audit:export [-- --settle-seconds 30] [--data-dir .local]`: seals what was archived
 * since the previous manifest into a new signed manifest, now. Exit 0 when table and archive
 * reconcile, 1 on a reconciliation mismatch (the manifest records it), 2 on any other failure.
 */
import { parseCommandLine, usageError } from './command-line.js';
import { DEFAULT_LOCAL_DIR } from '../local/s3-local.js';
import { ReconciliationMismatchError } from '../functions/jobs/export.js';
import { createLocalExport, openLocalArchive } from '../local/archive-runtime.js';

// The SDK's Node 20 deprecation notice would clutter every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `
usage: npm run audit:export [-- --settle-seconds 30] [--data-dir ${DEFAULT_LOCAL_DIR}]

Seals what the local archive received since the previous manifest into a new signed
manifest, now, and reconciles the table against the archive.
  --settle-seconds N  archive lag the reconciliation allows (default 30)
  --data-dir DIR      the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
  -h, --help          this text
Exit status: 0 reconciled, 1 reconciliation mismatch (recorded in the manifest), 2 any other failure.
`;

const { values, positionals } = parseCommandLine(USAGE, {
  'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR },
  'settle-seconds': { type: 'string', default: '30' },
});
if (positionals.length > 0) usageError(USAGE, `unexpected argument: ${positionals[0]}`);
if (!/^\d+$/.test(values['settle-seconds'])) usageError(USAGE, `--settle-seconds must be a whole number of seconds, got ${values['settle-seconds']}`);

async function run() {
  const dataDir = values['data-dir'];
  const archive = await openLocalArchive(dataDir, { dynamodb: true });
  try {
    const exportNow = createLocalExport({
      s3Endpoint: archive.s3.endpoint,
      dynamodb: archive.dynamodb,
      tableName: archive.tableName,
      dataDir,
      settleMs: Number(values['settle-seconds']) * 1000,
    });
    return await exportNow();
  } finally {
    await archive.close();
  }
}

run().then(
  (result) => {
    console.log(`sealed ${result.objects} objects into ${result.manifestKey} (sequence ${result.sequence}); reconciliation ${result.reconciliation.status}`);
  },
  (error: unknown) => {
    if (error instanceof ReconciliationMismatchError) {
      console.error(`audit:export: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    console.error(`audit:export failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
