/** API calls through the local runtime land in the archive exactly once, and SQL over the archive equals GET /v1/audit. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import { isSealed } from '../../functions/core/personal-data.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { queryArchiveWithDuckDb } from '../../local/archive-query.js';
import { startArchiveRuntime, type ArchiveRuntime } from '../../local/archive-runtime.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { eventually, readArchive } from '../support/archive-fixtures.js';
import { signIn } from '../support/local-sign-in.js';

let dataDir: string;
let runtime: LocalRuntime;
let archive: ArchiveRuntime;
let store: S3ArchiveStore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'archive-e2e-'));
  runtime = await startLocalRuntime({
    port: await freePort(),
    dataDir,
    dynamodbPort: await freePort(),
    startArchive: async (options) => {
      archive = await startArchiveRuntime({ ...options, exportIntervalMs: 0, pollIntervalMs: 50, log: { info: () => {}, error: console.error } });
      return archive;
    },
  });
  store = new S3ArchiveStore(createArchiveS3Client({ endpoint: archive.s3Endpoint }), archive.bucket);
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const token = (username: string) => signIn(runtime.url, username);

async function call(bearer: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function auditLog(auditor: string, from: string, to: string): Promise<AuditEvent[]> {
  const items: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ from, to, limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await call(auditor, 'GET', `/v1/audit?${query}`);
    expect(page.status).toBe(200);
    items.push(...(page.json['items'] as AuditEvent[]));
    cursor = page.json['nextCursor'] as string | undefined;
  } while (cursor);
  return items;
}

describe('the archive behind the API', () => {
  it('holds exactly the audit events and entity changes of the API calls, once each, within 10 s; SQL equals GET /v1/audit', async () => {
    const [buyer, factory, otherFactory, auditor] = await Promise.all(['buyer1', 'factory1', 'factory2', 'auditor1'].map(token));
    const from = new Date().toISOString();
    const evidence = await call(factory!, 'POST', '/v1/evidence', { name: 'Social audit', docType: 'audit-report' });
    expect(evidence.status).toBe(201);
    const created = await call(buyer!, 'POST', '/v1/requests', { factoryId: 'F001', title: 'Audits 2026', items: [{ docType: 'audit-report' }] });
    expect(created.status).toBe(201);
    const requestId = created.json['requestId'] as string;
    const itemId = (created.json['items'] as Array<{ itemId: string }>)[0]!.itemId;
    expect((await call(otherFactory!, 'GET', `/v1/requests/${requestId}`)).status).toBe(404);
    expect((await call(factory!, 'POST', `/v1/requests/${requestId}/items/${itemId}/fulfill`, { evidenceId: evidence.json['evidenceId'] })).status).toBe(200);
    expect((await call(buyer!, 'POST', `/v1/requests/${requestId}/items/${itemId}/review`, { decision: 'ACCEPT' })).status).toBe(200);
    expect((await call(buyer!, 'GET', '/v1/requests')).status).toBe(200);
    const to = new Date(Date.now() + 1).toISOString();
    const acknowledged = Date.now();

    // The audit log (an index) may lag a little: wait until it shows all six calls.
    let shown: AuditEvent[] = [];
    await eventually(async () => (shown = await auditLog(auditor!, from, to)).length >= 6, 10_000, 'GET /v1/audit did not show the calls').catch((e) => {
      console.log(JSON.stringify(shown.map((s) => [s.action, s.statusCode, s.occurredAt]), null, 1), from, to);
      throw e;
    });
    expect(shown).toHaveLength(6);
    const ids = shown.map((e) => e.eventId);

    let archived: Array<{ record: Record<string, unknown> }> = [];
    await eventually(
      async () => {
        archived = (await readArchive(store, 'audit/')).filter((a) => ids.includes(a.record['eventId'] as string));
        return archived.length >= ids.length;
      },
      10_000,
      'the archive did not receive the audit events within 10 s',
    );
    expect(Date.now() - acknowledged).toBeLessThan(10_000);
    expect(archived.map((a) => a.record['eventId']).sort()).toEqual([...ids].sort());

    // Entity changes: the evidence and its first version, the request created and changed twice.
    await archive.poller.caughtUp();
    const changes = (await readArchive(store, 'changes/')).map((c) => c.record);
    const ofRequest = changes.filter((c) => c['entityType'] === 'request' && c['entityId'] === requestId);
    expect(ofRequest.map((c) => c['eventName'])).toEqual(['INSERT', 'MODIFY', 'MODIFY']);
    expect(ofRequest[2]).toMatchObject({ oldImage: { status: 'FULFILLED' }, newImage: { status: 'COMPLETED' } });
    expect(changes.some((c) => c['entityType'] === 'evidence' && c['entityId'] === evidence.json['evidenceId'])).toBe(true);
    expect(new Set(changes.map((c) => c['changeId'])).size).toBe(changes.length);

    // The same window in SQL: every row equal to what the API shows, in the API's order.
    const rows = await queryArchiveWithDuckDb(
      store,
      `SELECT * EXCLUDE (dt) FROM audit_events WHERE occurredAt >= '${from}' AND occurredAt < '${to}' ORDER BY occurredAt DESC, eventId DESC`,
    );
    const withoutNulls = rows.map((row) =>
      JSON.parse(JSON.stringify(row, (_key, value: unknown) => (value === null ? undefined : typeof value === 'string' && _key === 'changes' ? JSON.parse(value) : value))),
    );
    // The archive holds the personal fields sealed (the API answers them opened): equal but for those.
    const personal = (event: Record<string, any>) => [event.actor.username, event.sourceIp, event.userAgent];
    for (const row of withoutNulls) expect(personal(row).every(isSealed), JSON.stringify(row)).toBe(true);
    for (const event of shown) expect(personal(event).some(isSealed)).toBe(false);
    const impersonal = (event: Record<string, any>) => {
      const { sourceIp: _ip, userAgent: _agent, ...rest } = event;
      return { ...rest, actor: { ...event.actor, username: undefined } };
    };
    expect(withoutNulls.map(impersonal)).toEqual(shown.map(impersonal));
  });
});
