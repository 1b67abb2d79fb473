/**
 * `npm run backup:drill [-- --data-dir .local] [--keep] [--json]`: the restore drill on the
 * local stack. Exports the DynamoDB Local table to `<data-dir>/backups/`, imports the file
 * into a fresh table, and compares item counts and a content hash per entity type with the
 * source, and the restored audit events with the archive. Prints PASS/FAIL per check; exits
 * 0 on pass, 1 on fail, 2 when the drill could not run. In AWS the same comparison runs
 * weekly in the backup-drill Lambda (docs/deploy.md, "Restore drill").
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from '../functions/backup/compare.js';
import { openLocalArchive } from '../local/archive-runtime.js';
import { runLocalDrill } from '../local/backup-drill.js';
import { DEFAULT_LOCAL_DIR } from '../local/s3-local.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm run backup:drill [-- options]

Restores the newest backup of the local table into a new table and checks it:
  1. exports the DynamoDB Local table to <data-dir>/backups/<table>-<time>.json.gz
  2. imports that file into a fresh table <table>-drill-<time> (same definition)
  3. compares item counts and a content hash per entity type with the source table,
     and the restored audit events with the audit archive

Options:
  --data-dir DIR   the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
  --keep           keep the restored table for inspection
  --json           print the report as JSON
  -h, --help       this text

Exit code: 0 pass, 1 fail, 2 the drill could not run.`;

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

async function main(): Promise<number> {
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dataDir = values['data-dir']!;
  const archive = await openLocalArchive(dataDir, { dynamodb: true });
  try {
    const result = await runLocalDrill({
      client: archive.dynamodb,
      tableName: archive.tableName,
      archive: archive.store,
      backupDir: join(dataDir, 'backups'),
      keep: values.keep,
    });
    console.log(values.json ? JSON.stringify(result, null, 2) : `${formatReport(result.report)}\nexport file: ${result.exportFile}`);
    return result.report.pass ? 0 : 1;
  } finally {
    await archive.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`backup:drill could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
