/**
 * `npm start`: the local stack on 127.0.0.1:${PORT:-3000}, data under `.local/` (or
 * LOCAL_DATA_DIR). Ctrl-C, SIGINT or SIGTERM stops everything it started, once the archive
 * has drained the stream; a second signal (later than REPEAT_MS) exits at once.
 * `npm start` execs this in one node process (package.json), so a signal sent to npm's pid
 * or to this pid reaches the handler below: npm forwards it to its child.
 */
import { DEFAULT_PORT, startLocalRuntime, type LocalRuntime } from '../local/runtime.js';
import { buildConsole, consoleBuilt } from '../local/console-site.js';

function banner(runtime: LocalRuntime): string {
  const users = runtime.users.map((u) => `    ${u.username.padEnd(10)} ${u.group.padEnd(8)} ${u.orgId ?? '-'}`).join('\n');
  return [
    '',
    ...(runtime.consoleUrl ? [`Web console  ${runtime.consoleUrl}   (sign in as any user below)`, ''] : []),
    `Evidence requests API (local) listening on ${runtime.url}`,
    `  health      ${runtime.url}/v1/health`,
    `  data        ${runtime.dataDir}  (table ${runtime.tableName}, DynamoDB Local ${runtime.dynamodbEndpoint})`,
    ...(runtime.s3Endpoint ? [`  S3 store    ${runtime.s3Endpoint}`] : []),
    `  JWKS        ${runtime.jwksUri}`,
    '  users       username   group    org',
    users,
    `  password    ${runtime.passwordSource}`,
    '  sign in:',
    `    curl -s -X POST ${runtime.url}/_local/token -H 'Content-Type: application/json' \\`,
    `      -d '{"username":"buyer1","password":"'"\${LOCAL_DEMO_PASSWORD:-Local-Demo-Passw0rd!}"'"}'`,
    '',
    'Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** A repeat of the stop signal within this many ms is the same stop request. */
const REPEAT_MS = 1_000;

async function main(): Promise<void> {
  // Lambda runs a Node the AWS SDK supports; on an older local Node its upgrade notice is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);

  let runtime: LocalRuntime | undefined;
  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: string) => {
    if (stopping) {
      // Ctrl-C at a terminal reaches this process twice: from the terminal and forwarded by npm.
      if (performance.now() - firstSignalAt < REPEAT_MS) return;
      console.error(`[local] ${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    firstSignalAt = performance.now();
    console.error(`[local] ${signal}: stopping (the archive drains the stream first)`);
    // Still starting: main() stops the runtime as soon as it is up (or it cleans up after failing).
    if (!runtime) return;
    runtime.stop().then(
      () => {
        console.error('[local] stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (!consoleBuilt()) {
    console.error('[local] building the web console (web/dist is missing)');
    await buildConsole();
  }
  runtime = await startLocalRuntime({
    port,
    dataDir: process.env.LOCAL_DATA_DIR || '.local',
    log: (line) => console.error(`[local] ${(performance.now() / 1000).toFixed(1)}s ${line}`),
  });
  if (stopping) {
    await runtime.stop();
    process.exit(0);
  }
  console.log(banner(runtime));
}

main().catch((error: unknown) => {
  console.error(`[local] cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
