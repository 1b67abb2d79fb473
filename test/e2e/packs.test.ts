/**
 * Packs end to end, as clients use them against `npm start`'s runtime: a factory packs three
 * uploaded files for a buyer (built by the local pack queue's builder), the buyer reads those
 * versions and downloads a file; the buyer packs the evidence it accepted, links it, and an
 * outsider without an account downloads the ZIP from the link and verifies it with
 * `npm run pack:verify`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRuntime } from '../../local/archive-runtime.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { runCli } from '../support/cli.js';
import { signIn } from '../support/local-sign-in.js';

let dataDir: string;
let runtime: LocalRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'packs-e2e-'));
  runtime = await startLocalRuntime({
    port: await freePort(),
    dataDir,
    startArchive: (options) => startArchiveRuntime({ ...options, exportIntervalMs: 0, pollIntervalMs: 50, log: { info: () => {}, error: console.error } }),
  });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

async function upload(factory: string, name: string, bytes: Buffer, fileName: string): Promise<string> {
  const file = { fileName, contentType: 'application/pdf', size: bytes.length, sha256: sha256(bytes).toString('hex') };
  const created = await call(factory, 'POST', '/v1/evidence', { name, docType: 'certificate', file });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': 'application/pdf', 'x-amz-checksum-sha256': sha256(bytes).toString('base64'), 'if-none-match': '*' },
    body: bytes,
  });
  expect(put.status).toBe(200);
  return created.body.evidenceId;
}

async function ready(token: string, packId: string) {
  await runtime.objectEvents.idle();
  await runtime.packQueue.idle();
  for (let attempt = 0; attempt < 50; attempt++) {
    const pack = await call(token, 'GET', `/v1/packs/${packId}`);
    if (pack.body.status !== 'PENDING') return pack.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pack ${packId} stayed PENDING`);
}

/** What an outsider does with a link: no account, just the URL. */
async function downloadFromLink(url: string, name: string): Promise<string> {
  const answer = await call(undefined, 'GET', url);
  expect(answer.status).toBe(200);
  const zip = await fetch(answer.body.downloadUrl);
  expect(zip.status).toBe(200);
  const path = join(dataDir, name);
  writeFileSync(path, Buffer.from(await zip.arrayBuffer()));
  return path;
}

describe('packs through the local runtime', () => {
  it('a factory shares a pack of three files with a buyer, who reads and downloads them; an outsider verifies its ZIP from a link', async () => {
    const [factory, buyer, otherBuyer] = await Promise.all(['factory1', 'buyer1', 'buyer2'].map((u) => signIn(runtime.url, u)));
    const files = ['ISO 9001', 'Social audit', 'Test report'].map((name, i) => ({ name, bytes: Buffer.from(`%PDF-1.7\n${name} ${'x'.repeat(1000 * (i + 1))}\n%%EOF\n`), fileName: `${name}.pdf` }));
    const ids: string[] = [];
    for (const f of files) ids.push(await upload(factory!, f.name, f.bytes, f.fileName));
    await runtime.objectEvents.idle();

    const created = await call(factory!, 'POST', '/v1/packs', { title: 'Supplier pack 2026', sharedWithOrgId: 'B001', items: ids.map((evidenceId) => ({ evidenceId, version: 1 })) });
    expect(created.status).toBe(202);
    const pack = await ready(factory!, created.body.packId);
    expect(pack).toMatchObject({ status: 'READY', size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The buyer org reads exactly those versions and downloads their files; another buyer does not.
    const seen = await call(buyer!, 'GET', `/v1/evidence/${ids[1]}`);
    expect(seen.status).toBe(200);
    expect(seen.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const file = await call(buyer!, 'GET', `/v1/evidence/${ids[1]}/versions/1/file`);
    expect(Buffer.from(await (await fetch(file.body.downloadUrl)).arrayBuffer()).equals(files[1]!.bytes)).toBe(true);
    expect((await call(otherBuyer!, 'GET', `/v1/evidence/${ids[1]}`)).status).toBe(404);
    expect((await call(buyer!, 'GET', `/v1/packs/${pack.packId}`)).status).toBe(200);

    const link = await call(factory!, 'POST', `/v1/packs/${pack.packId}/links`, { expiresInDays: 7 });
    expect(link.status).toBe(201);
    const zip = await downloadFromLink(link.body.url, 'factory-pack.zip');
    expect(sha256(Buffer.from(await (await import('node:fs/promises')).readFile(zip))).toString('hex')).toBe(pack.sha256);
    const verified = await runCli('pack-verify', [zip]);
    expect(verified.stdout).toContain(`VERIFIED pack ${pack.packId}: 3 files`);
    expect(verified.code).toBe(0);
  });

  it('a buyer packs the evidence it accepted, links it, and an outsider downloads and verifies it', async () => {
    const [factory, buyer] = await Promise.all(['factory1', 'buyer1'].map((u) => signIn(runtime.url, u)));
    const bytes = Buffer.from('%PDF-1.7\nAccepted certificate\n%%EOF\n');
    const evidenceId = await upload(factory!, 'Accepted certificate', bytes, 'certificate.pdf');
    await runtime.objectEvents.idle();
    const request = await call(buyer!, 'POST', '/v1/requests', { factoryId: 'F001', title: 'Annual documents', items: [{ docType: 'certificate' }] });
    const item = request.body.items[0].itemId;
    expect((await call(factory!, 'POST', `/v1/requests/${request.body.requestId}/items/${item}/fulfill`, { evidenceId, version: 1 })).status).toBe(200);
    expect((await call(buyer!, 'POST', `/v1/requests/${request.body.requestId}/items/${item}/review`, { decision: 'ACCEPT' })).status).toBe(200);

    const created = await call(buyer!, 'POST', '/v1/packs', { title: 'For our auditor', items: [{ evidenceId, version: 1 }] });
    expect(created.status).toBe(202);
    const pack = await ready(buyer!, created.body.packId);
    expect(pack.status).toBe('READY');
    const link = await call(buyer!, 'POST', `/v1/packs/${pack.packId}/links`, {});
    const zip = await downloadFromLink(link.body.url, 'buyer-pack.zip');
    const verified = await runCli('pack-verify', [zip, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, packId: pack.packId, files: 1, problems: [] });
  });
});
