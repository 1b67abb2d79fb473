/**
 * The pack builder on DynamoDB Local and the local S3 store: three uploaded files become one
 * ZIP that pack:verify accepts; a redelivered job changes nothing; a build that crashes mid-ZIP
 * or after its upload is retried into exactly one, byte-identical ZIP; a file gone bad fails
 * the pack with a reason; and the whole ZIP streams (memory stays flat for a large file).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackJobs } from '../../functions/core/ports.js';
import type { PackBuilderDeps } from '../../functions/core/use-cases/pack-builder.js';
import { verifyPackZip } from '../../bin/pack-zip.js';
import { runCli } from '../support/cli.js';
import { readEntries, rewriteZip, type Entries } from '../support/pack-zips.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { declaredFile, PACKS_BUCKET, putToUploadUrl, startLocalEvidenceStore, type LocalEvidenceStore } from '../support/evidence-files.js';

let store: LocalEvidenceStore;
let api: TestApi;
let builder: ReturnType<LocalEvidenceStore['connectPackBuilder']>;
/** The deps the next job runs with: tests swap in faulty ports. */
let faults: (deps: PackBuilderDeps) => PackBuilderDeps = (deps) => deps;
const dir = mkdtempSync(join(tmpdir(), 'pack-builder-'));

beforeAll(async () => {
  store = await startLocalEvidenceStore();
  const jobs: PackJobs = { enqueue: (job) => builder.queue.enqueue(job) };
  api = await startTestApi({ fileUrls: store.fileUrls(), packFileUrls: store.packFileUrls(), packJobs: jobs });
  store.connectVerifier(api.table);
  builder = store.connectPackBuilder(api.table, (deps) => ({
    ...deps,
    objects: { open: (key) => faults(deps).objects.open(key) },
    zips: { put: (key, body) => faults(deps).zips.put(key, body) },
    packs: new Proxy(deps.packs, { get: (target, name) => (faults(deps).packs as any)[name]?.bind(faults(deps).packs) ?? (target as any)[name] }),
  }));
});
afterAll(async () => {
  await api?.stop();
  await store?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pdf = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

async function uploadedEvidence(bytes: Buffer, fileName: string): Promise<string> {
  const created = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: fileName, docType: 'certificate', file: declaredFile(bytes, fileName) } });
  expect(created.status).toBe(201);
  expect((await putToUploadUrl(created.body.uploadUrl, bytes)).status).toBe(200);
  await store.events.idle();
  return created.body.evidenceId;
}

async function packOf(evidenceIds: string[]) {
  const created = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'Audit 2026', sharedWithOrgId: 'B001', items: evidenceIds.map((evidenceId) => ({ evidenceId, version: 1 })) } });
  expect(created.status).toBe(202);
  await builder.queue.idle();
  return (await api.call('GET', `/v1/packs/${created.body.packId}`, { as: 'factory1' })).body;
}

async function downloadZip(packId: string): Promise<{ path: string; bytes: Buffer }> {
  const download = await api.call('GET', `/v1/packs/${packId}/download`, { as: 'buyer1' });
  expect(download.status).toBe(200);
  const response = await fetch(download.body.downloadUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toContain(`${packId}.zip`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const path = join(dir, `${packId}.zip`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const packObjects = async () => ((await store.client.send(new ListObjectsV2Command({ Bucket: PACKS_BUCKET, Prefix: 'packs/' }))).Contents ?? []).map((o) => o.Key);

describe('building a pack', () => {
  it('makes one signed ZIP of three files that pack:verify accepts, records its size and SHA-256 and audits pack.build as the system', async () => {
    const ids = [await uploadedEvidence(pdf('one'), 'Audit – final.pdf'), await uploadedEvidence(pdf('two'), 'iso.pdf'), await uploadedEvidence(pdf('three'), 'test.pdf')];
    const pack = await packOf(ids);
    expect(pack).toMatchObject({ status: 'READY', size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), readyAt: expect.any(String) });
    const zip = await downloadZip(pack.packId);
    expect(zip.bytes.length).toBe(pack.size);
    expect(sha(zip.bytes)).toBe(pack.sha256);
    const report = await verifyPackZip(zip.path, await builder.signer.publicKeyPem(builder.signer.keyId));
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, files: 3, packId: pack.packId });

    const cli = await runCli('pack-verify', [zip.path]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`VERIFIED pack ${pack.packId}: 3 files`);

    const built = (await api.auditEvents()).filter((e) => e.action === 'pack.build' && e.resource.id === pack.packId);
    expect(built).toHaveLength(1);
    expect(built[0]).toMatchObject({ outcome: 'SUCCESS', actor: { userId: 'system', role: 'system' }, changes: { status: { from: 'PENDING', to: 'READY' }, size: pack.size, sha256: pack.sha256 } });

    // Every tamper case is caught by `npm run pack:verify`, with exit status 1 and a line naming the entry.
    const [first] = [...(await readEntries(zip.path)).keys()].filter((path) => path.startsWith('files/'));
    const tampered: [string, (entries: Entries) => void, RegExp][] = [
      ['changed', (e) => e.set(first!, Buffer.concat([e.get(first!)!, Buffer.from(' ')])), new RegExp(`^SIZE-MISMATCH +${first}`, 'm')],
      ['added', (e) => e.set('files/extra/v1/invoice.pdf', Buffer.from('%PDF-1.7 not declared')), /^EXTRA +files\/extra\/v1\/invoice\.pdf/m],
      ['removed', (e) => e.delete(first!), new RegExp(`^MISSING +${first}`, 'm')],
      ['manifest-edited', (e) => e.set('manifest.json', Buffer.from(e.get('manifest.json')!.toString().replace('Audit 2026', 'Audit 2027'))), /^BAD-SIGNATURE +manifest\.sig/m],
    ];
    for (const [name, edit, line] of tampered) {
      const target = join(dir, `${name}.zip`);
      await rewriteZip(zip.path, target, edit);
      const caught = await runCli('pack-verify', [target]);
      expect(caught.code, name).toBe(1);
      expect(caught.stdout, name).toMatch(line);
      expect(caught.stdout, name).toMatch(/^TAMPERED /m);
    }
    const unreadable = join(dir, 'not-a-zip.zip');
    writeFileSync(unreadable, 'not a zip');
    expect((await runCli('pack-verify', [unreadable])).code).toBe(2);
    expect((await runCli('pack-verify', [])).code).toBe(2);

    // A redelivered job finds the pack READY and writes nothing.
    const again = await builder.handler({ Records: [{ messageId: 'redelivered', body: JSON.stringify({ packId: pack.packId }), attributes: { ApproximateReceiveCount: '2' } } as never] });
    expect(again.outcomes).toEqual([{ outcome: 'already', status: 'READY' }]);
    expect((await api.auditEvents()).filter((e) => e.action === 'pack.build' && e.resource.id === pack.packId)).toHaveLength(1);
  });

  it('retries a build that crashed mid-ZIP, and one that crashed after its upload, into exactly one identical ZIP', async () => {
    const ids = [await uploadedEvidence(pdf('crash one'), 'a.pdf'), await uploadedEvidence(pdf('crash two'), 'b.pdf')];
    const uploads: string[] = [];
    let opened = 0;
    let finishes = 0;
    faults = (deps) => ({
      ...deps,
      objects: {
        // The first attempt dies while streaming the second file.
        open: async (key) => (++opened === 2 ? Readable.from((async function* () { yield Buffer.from('partial'); throw new Error('worker crashed'); })()) : deps.objects.open(key)),
      },
      zips: {
        put: async (key, body) => {
          const chunks: Buffer[] = [];
          for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
          const bytes = Buffer.concat(chunks);
          await deps.zips.put(key, Readable.from([bytes]));
          uploads.push(sha(bytes));
        },
      },
      packs: {
        ...deps.packs,
        get: (id: string) => deps.packs.get(id),
        keepSignature: (id: string, s) => deps.packs.keepSignature(id, s),
        // The second attempt uploads its ZIP, then dies before recording READY.
        finish: async (id, result, audit) => {
          if (++finishes === 1) throw new Error('worker crashed after the upload');
          return deps.packs.finish(id, result, audit);
        },
      } as PackBuilderDeps['packs'],
    });
    try {
      const pack = await packOf(ids);
      expect(pack.status).toBe('READY');
      // Attempt 1 died mid-ZIP (nothing stored), attempts 2 and 3 uploaded the same bytes under the same key.
      expect(uploads).toHaveLength(2);
      expect(uploads[0]).toBe(uploads[1]);
      expect(uploads[1]).toBe(pack.sha256);
      expect((await packObjects()).filter((key) => key === `packs/${pack.packId}.zip`)).toHaveLength(1);
      const zip = await downloadZip(pack.packId);
      expect(sha(zip.bytes)).toBe(pack.sha256);
      expect((await verifyPackZip(zip.path)).ok).toBe(true);
      expect((await api.auditEvents()).filter((e) => e.action === 'pack.build' && e.resource.id === pack.packId)).toHaveLength(1);
    } finally {
      faults = (deps) => deps;
    }
  });

  it('uploads a ZIP larger than one part (8 MiB) as a multipart upload, and it verifies', async () => {
    const big = Buffer.concat([pdf('large'), Buffer.alloc(9 * 1024 ** 2, 0x41)]);
    const pack = await packOf([await uploadedEvidence(big, 'large.pdf')]);
    expect(pack.status).toBe('READY');
    expect(pack.size).toBeGreaterThan(9 * 1024 ** 2);
    const zip = await downloadZip(pack.packId);
    expect(sha(zip.bytes)).toBe(pack.sha256);
    expect((await verifyPackZip(zip.path)).ok).toBe(true);
  });

  it('fails the pack with a reason when a stored file no longer matches its SHA-256', async () => {
    const bytes = pdf('will be swapped');
    const id = await uploadedEvidence(bytes, 'swapped.pdf');
    // The stored object no longer holds the verified bytes (the store served other ones).
    faults = (deps) => ({ ...deps, objects: { open: async () => Readable.from([pdf('will be swapped!')]) } });
    const pack = await packOf([id]);
    expect(pack.status).toBe('FAILED');
    expect(pack.failureReason).toMatch(/no longer has its recorded size and SHA-256/);
    const built = (await api.auditEvents()).filter((e) => e.action === 'pack.build' && e.resource.id === pack.packId);
    expect(built).toMatchObject([{ outcome: 'FAILED', reason: pack.failureReason }]);
    expect((await api.call('GET', `/v1/packs/${pack.packId}/download`, { as: 'factory1' })).status).toBe(409);
    faults = (deps) => deps;
  });
});
