/** Runs the archive runtime alone in a child process, so a test can SIGKILL it mid-batch. Args: endpoint table dataDir. */
import { startArchiveRuntime } from '../../local/archive-runtime.js';

const [dynamodbEndpoint, tableName, dataDir] = process.argv.slice(2) as [string, string, string];
await startArchiveRuntime({
  dynamodbEndpoint,
  tableName,
  dataDir,
  exportIntervalMs: 0,
  pollIntervalMs: 20,
  batchSize: 7,
  log: { info: () => {}, error: () => {} },
});
process.stdout.write('ready\n');
