/**
 * `npm start` stops cleanly on a signal sent to one pid (npm's, or the runtime's node): no
 * DynamoDB Local JVM survives it, and the stream poller drains first, so the archive holds
 * every audit event of the session as soon as the process is gone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { alive, javaUnder, startCli, type Cli } from '../support/local-cli.js';
import { signIn } from '../support/local-sign-in.js';

const run = promisify(execFile);

async function call(cli: Cli, token: string, method: string, path: string, body?: unknown): Promise<string> {
  const response = await fetch(`${cli.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  await response.body?.cancel();
  expect(response.status).toBeLessThan(500);
  return response.headers.get('x-request-id')!;
}

async function archivedCorrelationIds(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['run', '-s', 'audit:query', '--', '--format', 'json', '--data-dir', dir, 'SELECT correlationid AS id FROM audit_events'], {
    env: { ...process.env, LOCAL_DATA_DIR: dir },
  });
  return (JSON.parse(stdout) as { id: string }[]).map((row) => row.id);
}

describe('stopping npm start', () => {
  it.each([
    ['SIGTERM', 'npm'],
    ['SIGINT', 'runtime node'],
  ] as const)('on %s to the %s process alone: stops every child and archives every audit event of the session', async (signal, target) => {
    const dir = mkdtempSync(join(tmpdir(), 'local-stop-'));
    let cli: Cli | undefined;
    try {
      cli = await startCli(dir);
      const runtimePid = cli.runtimePid()!;
      expect(runtimePid).toBeGreaterThan(0);
      expect(javaUnder(dir)).not.toBe('');
      const [buyer, factory] = [await signIn(cli.url, 'buyer1'), await signIn(cli.url, 'factory1')];
      const create = { factoryId: 'F001', title: 'stop test', items: [{ docType: 'x' }] };
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await call(cli, buyer, 'POST', '/v1/requests', create));
      ids.push(await call(cli, factory, 'POST', '/v1/requests', create)); // denied
      ids.push(await call(cli, factory, 'GET', '/v1/requests'));
      // The last events are still inside the poller's batching window when the signal lands.
      ids.push(await call(cli, buyer, 'GET', '/v1/requests'));

      const code = await cli.stop(signal, target === 'npm' ? cli.pid : runtimePid);
      const output = cli.output();
      expect(code, output).toBe(0);
      expect(output).toContain('[local] stopped');
      expect(javaUnder(dir)).toBe('');
      expect(alive(runtimePid)).toBe(false);

      const archived = await archivedCorrelationIds(dir);
      expect(archived.sort()).toEqual([...ids].sort());
    } finally {
      await cli?.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
