/**
 * `npm run reminders:sweep`: runs the daily reminder sweep now against the local runtime's
 * table (the `npm start` timer runs it at start and then daily). In AWS the schedule runs it;
 * to run it now there, invoke the function named by the stack output ReminderSweepFunction.
 * Idempotent: a reminder already sent is never sent again.
 */
import { parseArgs } from 'node:util';
import { reminderDeps } from '../functions/composition/notifications.js';
import { configuration } from '../functions/config/configuration.js';
import { createHandler } from '../functions/jobs/reminders.js';
import { openLocalArchive } from '../local/archive-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';
import { DEFAULT_LOCAL_DIR } from '../local/s3-local.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm run reminders:sweep -- [--data-dir DIR]

Runs the reminder sweep (request.due-soon, request.overdue, evidence.expiring) now on the
local runtime's table; the running \`npm start\` delivers the reminders within seconds.

  --data-dir DIR   the local runtime's data folder (default ${DEFAULT_LOCAL_DIR})
  -h, --help       this text

Exit code: 0 swept, 2 the command could not run.`;

const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: DEFAULT_LOCAL_DIR }, help: { type: 'boolean', short: 'h', default: false } } });

async function main(): Promise<number> {
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const local = await openLocalArchive(values['data-dir'], { dynamodb: true });
  try {
    const config = configuration(
      { tableName: local.tableName, dynamodbEndpoint: local.dynamodbEndpoint, region: LOCAL_REGION, userPoolId: 'eu-west-1_Local1', clientIds: ['local'] },
      { credentials: LOCAL_CREDENTIALS },
    );
    const result = await createHandler(reminderDeps(config))();
    console.log(`reminders written: ${result.dueSoon} due soon, ${result.overdue} overdue, ${result.expiring} expiring`);
    return 0;
  } finally {
    await local.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
