/**
 * A person's whole life through the local runtime, in real time: invited by an admin (the
 * invitation in the local mail folder), signs in with the temporary password, works, is
 * disabled (the old token refused within 60 s, waiting for real), then erased. After the
 * erasure every archived object is read: neither the username, the e-mail nor the address
 * appears in any form the product could reverse, while `audit:verify` answers INTACT and
 * `audit:query` still counts the person's events by userId, role and org.
 */
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import { ERASED_USERNAME, isSealed } from '../../functions/core/personal-data.js';
import { DEFAULT_FRESHNESS_MS } from '../../functions/middleware/session-freshness.js';
import { startArchiveRuntime, type ArchiveRuntime } from '../../local/archive-runtime.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { eventually, readArchive } from '../support/archive-fixtures.js';
import { runCli } from '../support/cli.js';
import { signIn } from '../support/local-sign-in.js';

let dataDir: string;
let runtime: LocalRuntime;
let archive: ArchiveRuntime;
let store: S3ArchiveStore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'erasure-e2e-'));
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
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(bearer: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Every form of `value` the product could reverse: as is, in either case, base64 (std/url), hex, percent-encoded, JSON-escaped. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [...new Set([value, value.toLowerCase(), value.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/** Every archived object, decompressed when gzipped, as text. */
async function archivedTexts(): Promise<Array<{ key: string; text: string }>> {
  const out: Array<{ key: string; text: string }> = [];
  for (const prefix of ['audit/', 'changes/', 'manifests/']) {
    for await (const listed of store.list(prefix)) {
      const body = (await store.get(listed.key))!;
      out.push({ key: listed.key, text: (listed.key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8') });
    }
  }
  return out;
}

describe('a person from invitation to erasure', () => {
  it('invites, signs in, works, is disabled (refused within 60 s in real time), erased, and leaves nothing readable in the archive', async () => {
    const admin = await signIn(runtime.url, 'admin1');
    const username = `erin-${Date.now().toString(36)}`;
    const email = `${username}@example.com`;

    // Invitation: 201, and the temporary password in the local mail folder.
    const created = await call(admin, 'POST', '/v1/users', { username, email, role: 'buyer', orgId: 'B001' });
    expect(created.status).toBe(201);
    const userId = created.json.userId as string;
    const mail = await (await fetch(`${runtime.url}/_local/mail`)).json() as { items: Array<{ to: string; text: string }> };
    const invitation = mail.items.find((m) => m.to === email);
    const password = /Temporary password: (\S+)/.exec(invitation!.text)![1]!;
    const tokens = await fetch(`${runtime.url}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    expect(tokens.status).toBe(200);
    const erin = ((await tokens.json()) as { access_token: string }).access_token;

    // Work, readably audited.
    expect((await call(erin, 'GET', '/v1/me')).json).toMatchObject({ userId, username, role: 'buyer', orgId: 'B001' });
    const request = await call(erin, 'POST', '/v1/requests', { factoryId: 'F001', title: 'Erin asks', items: [{ docType: 'certificate' }] });
    expect(request.status).toBe(201);
    expect((await call(erin, 'GET', '/v1/requests')).status).toBe(200);
    let mine: any[] = [];
    await eventually(async () => (mine = (await call(admin, 'GET', `/v1/audit?actorUsername=${username}`)).json.items).length >= 2, 10_000, 'audit by username');
    expect(mine.every((e) => e.actor.username === username && e.actor.userId === userId && e.sourceIp === '127.0.0.1')).toBe(true);
    const history = await call(admin, 'GET', `/v1/requests/${request.json.requestId}/history?actorUsername=${username}`);
    expect(history.json.items.map((e: any) => e.action)).toEqual(['request.create']);
    const sample: { before: unknown; after?: unknown } = { before: mine[0] };

    // Disabled: refused within 60 s, in real time (the cache's age, 30 s, plus a margin).
    expect((await call(admin, 'POST', `/v1/users/${userId}/disable`, { reason: 'left' })).status).toBe(200);
    const disabledAt = Date.now();
    let refusedAt: number | undefined;
    while (Date.now() - disabledAt < 60_000) {
      if ((await call(erin, 'GET', '/v1/me')).status === 401) {
        refusedAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(refusedAt, 'refused within 60 s').toBeDefined();
    expect(refusedAt! - disabledAt).toBeLessThanOrEqual(DEFAULT_FRESHNESS_MS + 2_000);
    console.info(`freshness: the disabled user's token was refused ${refusedAt! - disabledAt} ms after the change`);

    // The data export holds her profile, her request and her audit events, her address included.
    const exported = await call(admin, 'GET', `/v1/users/${userId}/data-export`);
    expect(exported.status).toBe(200);
    expect(exported.json.profile).toMatchObject({ userId, username, email });
    expect(exported.json.requests.map((r: any) => r.requestId)).toEqual([request.json.requestId]);
    expect(exported.json.auditEvents.length).toBeGreaterThanOrEqual(2);

    // Erasure.
    const erased = await call(admin, 'POST', `/v1/users/${userId}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ userId, erasedAt: expect.any(String) });
    const after = (await call(admin, 'GET', `/v1/audit?actorId=${userId}&limit=100`)).json.items as any[];
    const erin1 = after.filter((e) => e.action !== 'user.erase' && e.actor.userId === userId);
    expect(erin1.length).toBeGreaterThanOrEqual(2);
    for (const event of erin1) {
      expect(event.actor).toMatchObject({ userId, role: 'buyer', orgId: 'B001', username: ERASED_USERNAME });
      expect(event.sourceIp).toBeUndefined();
      expect(event.userAgent).toBeUndefined();
    }
    expect((await call(admin, 'GET', `/v1/audit?actorUsername=${username}`)).json.items).toEqual([]);
    const profile = (await call(admin, 'GET', `/v1/users?orgId=B001&limit=100`)).json.items.find((u: any) => u.userId === userId);
    expect(profile.username).toMatch(/^erased-[0-9a-f]{16}$/);
    expect(profile.email).not.toContain(username);
    expect((await fetch(`${runtime.url}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).status).toBe(401);

    // The archive: every object of the person's window arrived, sealed; none holds her name, e-mail or address.
    const eventIds = erin1.map((e) => e.eventId);
    await eventually(async () => (await readArchive(store, 'audit/')).filter((a) => eventIds.includes(a.record['eventId'] as string)).length === eventIds.length, 15_000, 'archive');
    await archive.poller.caughtUp();
    const archivedErin = (await readArchive(store, 'audit/')).map((a) => a.record as any).filter((r) => r.actor.userId === userId);
    for (const record of archivedErin) {
      expect(isSealed(record.actor.username)).toBe(true);
      expect(isSealed(record.sourceIp)).toBe(true);
    }
    sample.after = archivedErin.find((r) => r.eventId === mine[0].eventId);
    console.info(`archived record before erasure (as the API answered it) and as the archive holds it after:\n${JSON.stringify(sample, null, 2)}`);
    const exportRun = await runCli('audit-export', ['--data-dir', dataDir, '--settle-seconds', '0']);
    expect(exportRun.code, exportRun.stderr).toBe(0);
    const texts = await archivedTexts();
    expect(texts.length).toBeGreaterThan(0);
    const secrets = { username, email, ip: '127.0.0.1' };
    for (const [what, value] of Object.entries(secrets)) {
      for (const form of forms(value)) {
        const found = texts.filter((t) => t.text.includes(form)).map((t) => t.key);
        expect(found, `${what} as "${form}"`).toEqual([]);
      }
    }

    // Still whole: the verifier answers INTACT, and SQL counts her events by userId, role and org.
    const verified = await runCli('audit-verify', ['--data-dir', dataDir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^INTACT/m);
    const counted = await runCli('audit-query', [
      '--data-dir', dataDir, '--format', 'json',
      `SELECT actor.userId AS user_id, actor.role AS role, actor.orgId AS org_id, count(*)::INTEGER AS n FROM audit_events WHERE actor.userId = '${userId}' GROUP BY ALL`,
    ]);
    expect(counted.code, counted.stderr).toBe(0);
    expect(JSON.parse(counted.stdout)).toEqual([{ user_id: userId, role: 'buyer', org_id: 'B001', n: archivedErin.length }]);
  }, 150_000);
});
