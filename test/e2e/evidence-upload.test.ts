/**
 * Evidence files end to end, as clients do it against `npm start`'s runtime: a factory
 * uploads a PDF through its presigned PUT, the file verifier (fed by the local S3 store's
 * ObjectCreated events) marks it AVAILABLE, and a buyer it was shared with downloads the
 * identical bytes; every audit event of the flow reaches the archive exactly once.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { startArchiveRuntime, type ArchiveRuntime } from '../../local/archive-runtime.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { eventually, readArchive } from '../support/archive-fixtures.js';
import { signIn } from '../support/local-sign-in.js';

let dataDir: string;
let runtime: LocalRuntime;
let archive: ArchiveRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'evidence-upload-e2e-'));
  runtime = await startLocalRuntime({
    port: await freePort(),
    dataDir,
    startArchive: async (options) => {
      archive = await startArchiveRuntime({ ...options, exportIntervalMs: 0, pollIntervalMs: 50, log: { info: () => {}, error: console.error } });
      return archive;
    },
  });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

describe('evidence files through the local runtime', () => {
  it('a factory uploads a PDF, the verifier makes it AVAILABLE, a shared buyer downloads the identical bytes, every audit event is archived once', async () => {
    const [factory, buyer, otherBuyer, auditor] = await Promise.all(['factory1', 'buyer1', 'buyer2', 'auditor1'].map((u) => signIn(runtime.url, u)));
    const from = new Date().toISOString();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1'), Buffer.alloc(70_000, 0x41), Buffer.from('\n%%EOF\n')]);
    const file = { fileName: 'Prüfbericht 2026 «final».pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha256(pdf).toString('hex') };

    const created = await call(factory!, 'POST', '/v1/evidence', { name: 'Chemical test report', docType: 'test-report', file });
    expect(created.status).toBe(201);
    expect(created.body.versions[0].file).toEqual({ ...file, status: 'PENDING_UPLOAD' });
    const uploadUrl = new URL(created.body.uploadUrl);
    expect(uploadUrl.pathname).toMatch(new RegExp(`^/evidence-files/evidence/F001/${created.body.evidenceId}/v1/fil_[a-z2-7]{26}$`));

    const upload = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': file.contentType, 'x-amz-checksum-sha256': sha256(pdf).toString('base64'), 'if-none-match': '*' },
      body: pdf,
    });
    expect(upload.status).toBe(200);
    await runtime.objectEvents.idle();
    const evidenceId = created.body.evidenceId as string;
    expect((await call(factory!, 'GET', `/v1/evidence/${evidenceId}`)).body.versions[0].file.status).toBe('AVAILABLE');

    const request = await call(buyer!, 'POST', '/v1/requests', { factoryId: 'F001', title: 'Test reports', items: [{ docType: 'test-report' }] });
    const itemId = request.body.items[0].itemId as string;
    expect((await call(factory!, 'POST', `/v1/requests/${request.body.requestId}/items/${itemId}/fulfill`, { evidenceId })).status).toBe(200);

    const download = await call(buyer!, 'GET', `/v1/evidence/${evidenceId}/versions/1/file`);
    expect(download.status).toBe(200);
    expect(download.body).toMatchObject({ fileName: file.fileName, contentType: file.contentType, size: file.size, sha256: file.sha256 });
    const fetched = await fetch(download.body.downloadUrl);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toBe(
      `attachment; filename="Prufbericht 2026 _final_.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%202026%20%C2%ABfinal%C2%BB.pdf`,
    );
    const bytes = Buffer.from(await fetched.arrayBuffer());
    expect(sha256(bytes).toString('hex')).toBe(file.sha256);
    expect((await call(otherBuyer!, 'GET', `/v1/evidence/${evidenceId}/versions/1/file`)).status).toBe(404);

    // Every audit event of the flow, the verifier's included, lands in the archive once.
    const to = new Date(Date.now() + 1).toISOString();
    let events: AuditEvent[] = [];
    await eventually(async () => {
      events = (await call(auditor!, 'GET', `/v1/audit?from=${from}&to=${to}&limit=100`)).body.items as AuditEvent[];
      return events.length >= 6;
    });
    expect(events.map((e) => e.action).sort()).toEqual(
      ['evidence.create', 'evidence.file.verify', 'evidence.read', 'request.create', 'request.item.fulfill', 'evidence.file.download', 'evidence.file.download'].sort(),
    );
    expect(events.find((e) => e.action === 'evidence.file.verify')).toMatchObject({ actor: { userId: 'system', role: 'system' }, outcome: 'SUCCESS', changes: { version: 1, status: { from: 'PENDING_UPLOAD', to: 'AVAILABLE' } } });
    expect(events.filter((e) => e.action === 'evidence.file.download').map((e) => [e.outcome, e.changes?.['version']]).sort()).toEqual([['DENIED', 1], ['SUCCESS', 1]]);
    const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: archive.s3Endpoint }), archive.bucket);
    const ids = events.map((e) => e.eventId);
    let archived: string[] = [];
    await eventually(async () => {
      archived = (await readArchive(store, 'audit/')).map((a) => a.record['eventId'] as string).filter((id) => ids.includes(id));
      return archived.length >= ids.length;
    });
    await archive.poller.caughtUp();
    archived = (await readArchive(store, 'audit/')).map((a) => a.record['eventId'] as string).filter((id) => ids.includes(id));
    expect(archived.sort()).toEqual([...ids].sort());
  });
});
