/**
 * Share links through the API, over the real local S3 store and the pack builder: who may
 * create, list and revoke them; the token (256 bits) shown once, stored only as a hash and in
 * no audit record or log line; one 404 for unknown, expired, revoked and not-ready; a revoked
 * link's last download URL dies within 60 s (the clock is injected into the API and the store);
 * accessCount and lastAccessAt; and 10 requests a minute per address on GET /v1/shared/*.
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/routes.js';
import type { PackJobs } from '../../functions/core/ports.js';
import { createLocalHttpServer } from '../../local/http-server.js';
import { freePort } from '../../local/net.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { declaredFile, putToUploadUrl, startLocalEvidenceStore, type LocalEvidenceStore } from '../support/evidence-files.js';

let now = Date.now();
const clock = () => new Date(now);
let store: LocalEvidenceStore;
let api: TestApi;
let builder: ReturnType<LocalEvidenceStore['connectPackBuilder']>;
/** While set, queued builds wait here instead of running (packs stay PENDING). */
let held: string[] | undefined;

beforeAll(async () => {
  store = await startLocalEvidenceStore({ now: clock });
  const jobs: PackJobs = { enqueue: async (job) => (held ? void held.push(job.packId) : builder.queue.enqueue(job)) };
  api = await startTestApi({ fileUrls: store.fileUrls(clock), packFileUrls: store.packFileUrls(clock), packJobs: jobs, now: clock });
  store.connectVerifier(api.table);
  builder = store.connectPackBuilder(api.table);
});
afterAll(async () => {
  await api?.stop();
  await store?.stop();
});

const bytes = Buffer.from('%PDF-1.7\nshared with an auditor\n%%EOF\n');

async function readyPack(): Promise<{ packId: string; sha256: string }> {
  const created = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'Audit', docType: 'audit-report', file: declaredFile(bytes, 'audit.pdf') } });
  expect((await putToUploadUrl(created.body.uploadUrl, bytes)).status).toBe(200);
  await store.events.idle();
  const pack = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'For the auditor', sharedWithOrgId: 'B001', items: [{ evidenceId: created.body.evidenceId, version: 1 }] } });
  await builder.queue.idle();
  const read = await api.call('GET', `/v1/packs/${pack.body.packId}`, { as: 'factory1' });
  expect(read.body.status).toBe('READY');
  return { packId: pack.body.packId, sha256: read.body.sha256 };
}

const link = (packId: string, body: Record<string, unknown> = {}, as: 'factory1' | 'buyer1' = 'factory1') => api.call('POST', `/v1/packs/${packId}/links`, { as, body });
const shared = (token: string) => api.call('GET', `/v1/shared/${token}`);
const eventsOf = async (requestId: string) => (await api.auditEvents()).filter((e) => e.correlationId === requestId);

/** Everything written to stdout and stderr while `work` runs (the service's log lines). */
async function output<T>(work: () => Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => (chunks.push(String(chunk)), writes.out(chunk, ...(rest as [])))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => (chunks.push(String(chunk)), writes.err(chunk, ...(rest as [])))) as typeof process.stderr.write;
  try {
    return { result: await work(), text: chunks.join('') };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
}

describe('creating, listing and using a link', () => {
  it('shows the token once, keeps only its hash, and serves the pack to anyone holding it without signing in', async () => {
    const pack = await readyPack();
    const created = await link(pack.packId, { expiresInDays: 3, note: 'for the 2026 audit' });
    expect(created.status).toBe(201);
    const { token, url, linkId } = created.body;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(url).toBe(`/v1/shared/${token}`);
    expect(created.body).toMatchObject({ packId: pack.packId, note: 'for the 2026 audit', accessCount: 0 });
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(3 * 86_400_000);

    const { result: answer, text: logged } = await output(() => shared(token));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ title: 'For the auditor', items: [{ fileName: 'audit.pdf' }], expiresAt: created.body.expiresAt });
    const download = new URL(answer.body.downloadUrl);
    expect(download.searchParams.get('X-Amz-Expires')).toBe('60');
    const zip = Buffer.from(await (await fetch(download)).arrayBuffer());
    expect(createHash('sha256').update(zip).digest('hex')).toBe(pack.sha256);

    const [access] = await eventsOf(answer.requestId);
    expect(access).toMatchObject({ action: 'share.access', outcome: 'SUCCESS', actor: { userId: 'anonymous', role: 'anonymous' }, resource: { type: 'share', id: linkId } });
    // The visitor's address is personal data: sealed in the table (and so in the archive), revealed to the audit API.
    expect(access!.sourceIp).toMatch(/^sealed:v1:/);
    const audited = await api.call('GET', '/v1/audit?actorId=anonymous&limit=100', { as: 'auditor1' });
    expect(audited.body.items.find((e: { correlationId: string }) => e.correlationId === answer.requestId)).toMatchObject({ actor: { userId: 'anonymous', username: 'anonymous' }, sourceIp: '127.0.0.1' });
    const listed = await api.call('GET', `/v1/packs/${pack.packId}/links`, { as: 'factory1' });
    expect(listed.body.items).toEqual([expect.objectContaining({ linkId, accessCount: 1, lastAccessAt: access!.occurredAt })]);
    expect(listed.body.items[0].token).toBeUndefined();
    expect(listed.body.items[0].url).toBeUndefined();

    // The token is nowhere but in the answer that created it: not in the table, the audit trail or a log line.
    const items = (await api.table.client.send(new ScanCommand({ TableName: api.table.tableName }))).Items ?? [];
    expect(JSON.stringify(items)).not.toContain(token);
    expect(JSON.stringify(items)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(logged).not.toContain(token);
    const created2 = (await eventsOf(created.requestId))[0];
    expect(created2).toMatchObject({ action: 'share.create', resource: { type: 'share', id: linkId } });
  });

  it('is the owner org\'s alone: the org a pack is shared with may read the pack but not link it; auditors list, never create', async () => {
    const pack = await readyPack();
    const theirs = await link(pack.packId, {}, 'buyer1');
    expect(theirs.status).toBe(404);
    expect((await eventsOf(theirs.requestId))[0]).toMatchObject({ outcome: 'DENIED' });
    expect((await api.call('GET', `/v1/packs/${pack.packId}/links`, { as: 'buyer1' })).status).toBe(404);
    expect((await api.call('GET', `/v1/packs/${pack.packId}/links`, { as: 'factory2' })).status).toBe(404);
    expect((await api.call('GET', `/v1/packs/${pack.packId}/links`, { as: 'auditor1' })).status).toBe(200);
    expect((await api.call('POST', `/v1/packs/${pack.packId}/links`, { as: 'auditor1', body: {} })).status).toBe(403);
    expect((await link(pack.packId, { expiresInDays: 31 })).body).toMatchObject({ status: 400, errors: [{ path: '/expiresInDays' }] });
  });
});

describe('one 404 for every link that serves nothing', () => {
  const same = (answer: { status: number; body: Record<string, unknown> }) => ({ status: answer.status, type: answer.body.type, code: answer.body.code, title: answer.body.title, detail: answer.body.detail });

  it('unknown, malformed, revoked, expired and not-ready tokens answer alike; a revoked link\'s last download URL dies within 60 s', async () => {
    const pack = await readyPack();
    const unknown = same(await shared('A'.repeat(43)));
    expect(unknown).toMatchObject({ status: 404, code: 'shared-not-found' });
    expect(same(await shared('not-a-token'))).toEqual(unknown);

    const revoked = await link(pack.packId);
    const last = await shared(revoked.body.token);
    expect(last.status).toBe(200);
    const revoke = await api.call('POST', `/v1/packs/${pack.packId}/links/${revoked.body.linkId}/revoke`, { as: 'factory1' });
    expect(revoke.status).toBe(200);
    expect(revoke.body.revokedAt).toBe(clock().toISOString());
    expect((await eventsOf(revoke.requestId))[0]).toMatchObject({ action: 'share.revoke', outcome: 'SUCCESS', resource: { type: 'share', id: revoked.body.linkId } });
    const afterRevoke = await shared(revoked.body.token);
    expect(same(afterRevoke)).toEqual(unknown);
    expect((await eventsOf(afterRevoke.requestId))[0]).toMatchObject({ action: 'share.access', outcome: 'FAILED', statusCode: 404, resource: { type: 'share', id: revoked.body.linkId } });
    // The URL handed out before the revoke works out its 60 seconds, and not one more.
    now += 30_000;
    expect((await fetch(last.body.downloadUrl)).status).toBe(200);
    now += 31_000;
    expect((await fetch(last.body.downloadUrl)).status).toBe(403);

    const expiring = await link(pack.packId, { expiresInDays: 1 });
    expect((await shared(expiring.body.token)).status).toBe(200);
    now += 86_400_000;
    expect(same(await shared(expiring.body.token))).toEqual(unknown);

    held = [];
    try {
      const created = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'Pending', docType: 'memo' } });
      const pending = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'Not yet', sharedWithOrgId: 'B001', items: [{ evidenceId: created.body.evidenceId, version: 1 }] } });
      const early = await link(pending.body.packId);
      expect(early.status).toBe(201);
      expect(same(await shared(early.body.token))).toEqual(unknown);
      expect((await api.call('GET', `/v1/packs/${pending.body.packId}/links`, { as: 'factory1' })).body.items[0].accessCount).toBe(0);
    } finally {
      held = undefined;
    }
  });
});

describe('the per-address limit of GET /v1/shared/*', () => {
  it('answers the 11th request of a minute 429 with Retry-After, and leaves other paths alone', async () => {
    const handler = async () => ({ statusCode: 404, headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const http = createLocalHttpServer({ rateLimits: false });
    http.ready({ issuer: new TokenIssuer({ key: await generateSigningKey(), password: 'x' }), routes: ROUTES, handlers: { requests: handler, evidence: handler, audit: handler, public: handler, notifications: handler, directory: handler, packs: handler } });
    const port = await freePort();
    await new Promise<void>((resolve) => http.server.listen(port, '127.0.0.1', resolve));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await fetch(`http://127.0.0.1:${port}/v1/shared/${'x'.repeat(43)}`)).status);
      expect(statuses).toEqual([...Array(10).fill(404), 429]);
      const refused = await fetch(`http://127.0.0.1:${port}/v1/shared/another`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { code: string }).code).toBe('rate-limited');
      expect((await fetch(`http://127.0.0.1:${port}/v1/packs`)).status).toBe(404);
    } finally {
      http.server.closeAllConnections();
      await new Promise((resolve) => http.server.close(resolve));
    }
  });
});
