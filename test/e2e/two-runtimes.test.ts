/**
 * Two local runtimes in one process: each builds its handlers from its own configuration
 * object (no process.env), so each serves its own table with its own token issuer and keys,
 * and neither leaks into the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { signIn } from '../support/local-sign-in.js';

const dirs: string[] = [];
let one: LocalRuntime;
let two: LocalRuntime;
const envBefore = { ...process.env };

beforeAll(async () => {
  const start = async (tableName: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), `two-runtimes-${tableName}-`));
    dirs.push(dataDir);
    return startLocalRuntime({ port: await freePort(), dataDir, tableName, startArchive: false });
  };
  [one, two] = await Promise.all([start('runtime-one'), start('runtime-two')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function call(runtime: LocalRuntime, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('two runtimes in one process', () => {
  it('run side by side on their own tables, without touching process.env', async () => {
    expect(one.configuration).not.toBe(two.configuration);
    expect([one.configuration.tableName, two.configuration.tableName]).toEqual(['runtime-one', 'runtime-two']);
    expect(one.configuration.dynamodbEndpoint).not.toBe(two.configuration.dynamodbEndpoint);
    expect(process.env).toEqual(envBefore);

    const [tokenOne, tokenTwo] = await Promise.all([signIn(one.url, 'buyer1'), signIn(two.url, 'buyer1')]);
    const created = await call(one, tokenOne, 'POST', '/v1/requests', { factoryId: 'F001', title: 'only in one', items: [{ docType: 'certificate' }] });
    expect(created.status).toBe(201);
    expect((await call(one, tokenOne, 'GET', `/v1/requests/${created.body.requestId}`)).status).toBe(200);
    expect((await call(two, tokenTwo, 'GET', `/v1/requests/${created.body.requestId}`)).status).toBe(404);
    expect((await call(two, tokenTwo, 'GET', '/v1/requests')).body.items).toEqual([]);
  });

  it('keeps their keys apart: a token or a cursor of one is refused by the other', async () => {
    const [tokenOne, tokenTwo] = await Promise.all([signIn(one.url, 'buyer1'), signIn(two.url, 'buyer1')]);
    expect((await call(two, tokenOne, 'GET', '/v1/requests')).status).toBe(401);
    for (let i = 0; i < 2; i++) await call(two, tokenTwo, 'POST', '/v1/requests', { factoryId: 'F001', title: `two ${i}`, items: [{ docType: 'x' }] });
    const page = await call(two, tokenTwo, 'GET', '/v1/requests?limit=1');
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await call(two, tokenTwo, 'GET', `/v1/requests?limit=1&cursor=${page.body.nextCursor}`)).status).toBe(200);
    expect((await call(one, tokenOne, 'GET', `/v1/requests?limit=1&cursor=${page.body.nextCursor}`)).status).toBe(400);
  });
});
