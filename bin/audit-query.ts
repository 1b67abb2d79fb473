/**
 * `npm run audit:query -- [--format json|table] [--athena] "<SQL>"`: Athena-compatible SQL over
 * the tables `audit_events` and `entity_changes`. Locally DuckDB over the local archive
 * (running or not); with --athena, the deployed workgroup (ATHENA_WORKGROUP, GLUE_DATABASE).
 */
import { parseCommandLine, usageError } from './command-line.js';
import { DEFAULT_LOCAL_DIR } from '../local/s3-local.js';
import { ARCHIVE_ENV, ENV } from '../functions/config/environment.js';
import { openLocalArchive } from '../local/archive-runtime.js';
import { formatTable, queryArchiveWithAthena, queryArchiveWithDuckDb, type Row } from '../local/archive-query.js';

// The SDK's Node 20 deprecation notice would clutter every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `
usage: npm run audit:query -- [--format table|json] [--data-dir ${DEFAULT_LOCAL_DIR}] "<SQL>"
       npm run audit:query -- --athena [--workgroup NAME] [--database NAME] "<SQL>"

Athena-compatible SQL over the tables audit_events and entity_changes: locally DuckDB over
the local archive (running or not), with --athena the deployed workgroup.
  --format F        table (default) or json
  --data-dir DIR    the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
  --athena          query the deployed archive through Athena
  --workgroup NAME  Athena workgroup (or ATHENA_WORKGROUP)
  --database NAME   Glue database (or GLUE_DATABASE)
  -h, --help        this text
Example: npm run audit:query -- "SELECT action, outcome, count(*) AS n FROM audit_events GROUP BY 1, 2"
`;

const { values, positionals } = parseCommandLine(USAGE, {
  format: { type: 'string', default: 'table' },
  athena: { type: 'boolean', default: false },
  workgroup: { type: 'string' },
  database: { type: 'string' },
  'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR },
});
const sql = positionals.join(' ').trim();
if (!sql) usageError(USAGE, 'no SQL given');
if (values.format !== 'json' && values.format !== 'table') usageError(USAGE, `--format must be json or table, got ${values.format}`);

async function run(): Promise<Row[]> {
  if (values.athena) {
    const workgroup = values.workgroup ?? process.env[ARCHIVE_ENV.athenaWorkgroup];
    if (!workgroup) throw new Error('--workgroup NAME (or ATHENA_WORKGROUP) is required with --athena');
    return queryArchiveWithAthena(sql, {
      workgroup,
      database: values.database ?? process.env[ARCHIVE_ENV.glueDatabase],
      region: process.env[ENV.region],
    });
  }
  const archive = await openLocalArchive(values['data-dir'], { dynamodb: false });
  try {
    return await queryArchiveWithDuckDb(archive.store, sql);
  } finally {
    await archive.close();
  }
}

run().then(
  (rows) => console.log(values.format === 'json' ? JSON.stringify(rows, null, 2) : formatTable(rows)),
  (error: unknown) => {
    console.error(`audit:query failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
