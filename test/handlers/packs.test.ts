/**
 * Packs through the API on DynamoDB Local: who may pack what, that a factory's pack opens
 * exactly its versions to exactly its buyer org (evidence reads and file downloads), that a
 * buyer packs only what was shared with it, and the audit events of it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { markFileAvailable } from '../support/evidence-files.js';
import { recordingPackJobs } from '../support/memory-file-urls.js';

let api: TestApi;
const jobs = recordingPackJobs();
beforeAll(async () => {
  api = await startTestApi({ packJobs: jobs });
});
afterAll(() => api?.stop());

const FILE = { fileName: 'iso-9001.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) };

/** Evidence of factory1 with three versions: v1 and v2 carry AVAILABLE files, v3 a file still PENDING_UPLOAD. */
async function library(as: 'factory1' | 'factory2' = 'factory1') {
  const created = await api.call('POST', '/v1/evidence', { as, body: { name: 'ISO 9001', docType: 'certificate', file: FILE } });
  const evidenceId = created.body.evidenceId as string;
  await markFileAvailable(api.table, evidenceId, 1);
  await api.call('POST', `/v1/evidence/${evidenceId}/versions`, { as, body: { file: FILE } });
  await markFileAvailable(api.table, evidenceId, 2);
  await api.call('POST', `/v1/evidence/${evidenceId}/versions`, { as, body: { file: FILE } });
  return evidenceId;
}

const eventsOf = async (requestId: string) => (await api.auditEvents()).filter((e) => e.correlationId === requestId);

describe('a factory\'s pack', () => {
  it('answers 202 PENDING with Location, queues its build and shares exactly its versions with exactly that buyer org', async () => {
    const evidenceId = await library();
    expect((await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer1' })).status).toBe(404);

    const created = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'Audit 2026', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 2 }] } });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/packs/${created.body.packId}`);
    expect(created.body).toMatchObject({ title: 'Audit 2026', ownerOrgId: 'F001', sharedWithOrgId: 'B001', status: 'PENDING', items: [{ evidenceId, version: 2, name: 'ISO 9001', docType: 'certificate', fileName: 'iso-9001.pdf', sha256: FILE.sha256 }] });
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(30 * 86_400_000);
    expect(jobs.queued).toContain(created.body.packId);
    const [event] = await eventsOf(created.requestId);
    expect(event).toMatchObject({ action: 'pack.create', outcome: 'SUCCESS', statusCode: 202, resource: { type: 'pack', id: created.body.packId } });

    const seen = await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer1' });
    expect(seen.status).toBe(200);
    expect(seen.body.versions.map((v: { version: number }) => v.version)).toEqual([2]);
    expect(seen.body.latestVersion).toBe(2);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/2/file`, { as: 'buyer1' })).status).toBe(200);
    // Exactly those versions, exactly that org.
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: 'buyer1' })).status).toBe(404);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer2' })).status).toBe(404);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/2/file`, { as: 'buyer2' })).status).toBe(404);
  });

  it('needs a registered buyer org to share with', async () => {
    const evidenceId = await library();
    const without = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', items: [{ evidenceId, version: 1 }] } });
    expect(without.status).toBe(400);
    expect(without.body).toMatchObject({ code: 'pack-shared-with-required', errors: [{ path: '/sharedWithOrgId' }] });
    const factory = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'F002', items: [{ evidenceId, version: 1 }] } });
    expect(factory.body).toMatchObject({ status: 400, code: 'buyer-not-registered' });
  });

  it('refuses a file not AVAILABLE, an unknown version and a duplicate with 400 naming the item', async () => {
    const evidenceId = await library();
    const pending = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 1 }, { evidenceId, version: 3 }] } });
    expect(pending.status).toBe(400);
    expect(pending.body).toMatchObject({ code: 'file-not-available', errors: [{ path: '/items/1/version' }] });
    const missing = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 9 }] } });
    expect(missing.body).toMatchObject({ status: 400, code: 'version-not-found', errors: [{ path: '/items/0/version' }] });
    const twice = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 1 }, { evidenceId, version: 1 }] } });
    expect(twice.body).toMatchObject({ status: 400, code: 'pack-item-duplicate', errors: [{ path: '/items/1' }] });
    // Nothing was shared by the refusals.
    expect((await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer1' })).status).toBe(404);
  });

  it('refuses another factory\'s evidence exactly like unknown evidence, audited DENIED', async () => {
    const theirs = await library('factory2');
    const refused = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'B001', items: [{ evidenceId: theirs, version: 1 }] } });
    const unknown = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 't', sharedWithOrgId: 'B001', items: [{ evidenceId: 'evd_UNKNOWN', version: 1 }] } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual(unknown.body.errors);
    expect(refused.body.code).toBe(unknown.body.code);
    expect((await eventsOf(refused.requestId))[0]).toMatchObject({ outcome: 'DENIED', statusCode: 400 });
    expect((await eventsOf(unknown.requestId))[0]).toMatchObject({ outcome: 'FAILED', statusCode: 400 });
  });
});

describe('a buyer\'s pack', () => {
  it('holds versions shared with the buyer org by fulfilment or by a pack, and nothing else', async () => {
    const evidenceId = await library();
    const request = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'pack', items: [{ docType: 'certificate' }] } });
    await api.call('POST', `/v1/requests/${request.body.requestId}/items/${request.body.items[0].itemId}/fulfill`, { as: 'factory1', body: { evidenceId, version: 1 } });

    const own = await api.call('POST', '/v1/packs', { as: 'buyer1', body: { title: 'For the auditor', items: [{ evidenceId, version: 1 }] } });
    expect(own.status).toBe(202);
    expect(own.body).toMatchObject({ ownerOrgId: 'B001', status: 'PENDING' });
    expect(own.body.sharedWithOrgId).toBeUndefined();

    const unshared = await api.call('POST', '/v1/packs', { as: 'buyer1', body: { title: 't', items: [{ evidenceId, version: 2 }] } });
    expect(unshared.body).toMatchObject({ status: 400, code: 'evidence-not-found', errors: [{ path: '/items/0/evidenceId' }] });
    expect((await eventsOf(unshared.requestId))[0]).toMatchObject({ outcome: 'DENIED' });
    const other = await api.call('POST', '/v1/packs', { as: 'buyer2', body: { title: 't', items: [{ evidenceId, version: 1 }] } });
    expect(other.status).toBe(400);

    await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'v2 for B001', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 2 }] } });
    expect((await api.call('POST', '/v1/packs', { as: 'buyer1', body: { title: 't', items: [{ evidenceId, version: 2 }] } })).status).toBe(202);
    const named = await api.call('POST', '/v1/packs', { as: 'buyer1', body: { title: 't', sharedWithOrgId: 'B002', items: [{ evidenceId, version: 1 }] } });
    expect(named.body).toMatchObject({ status: 400, code: 'pack-shared-with-forbidden' });
  });
});

describe('reading packs', () => {
  it('the owner org and the org it is shared with read and list it; another tenant gets 404; auditors see every pack; it downloads only once READY', async () => {
    const evidenceId = await library();
    const created = await api.call('POST', '/v1/packs', { as: 'factory1', body: { title: 'Listed', sharedWithOrgId: 'B001', items: [{ evidenceId, version: 1 }] } });
    const path = `/v1/packs/${created.body.packId}`;
    for (const as of ['factory1', 'buyer1', 'auditor1', 'admin1'] as const) {
      expect((await api.call('GET', path, { as })).status, as).toBe(200);
      const listed = await api.call('GET', '/v1/packs?limit=100', { as });
      expect(listed.body.items.map((p: { packId: string }) => p.packId), as).toContain(created.body.packId);
    }
    for (const as of ['factory2', 'buyer2'] as const) {
      const hidden = await api.call('GET', path, { as });
      expect(hidden.status).toBe(404);
      expect((await eventsOf(hidden.requestId))[0]).toMatchObject({ action: 'pack.read', outcome: 'DENIED' });
      expect((await api.call('GET', '/v1/packs?limit=100', { as })).body.items.map((p: { packId: string }) => p.packId)).not.toContain(created.body.packId);
    }
    const ready = await api.call('GET', '/v1/packs?status=READY', { as: 'factory1' });
    expect(ready.body.items.map((p: { packId: string }) => p.packId)).not.toContain(created.body.packId);
    const download = await api.call('GET', `${path}/download`, { as: 'buyer1' });
    expect(download.status).toBe(409);
    expect(download.body.code).toBe('pack-not-ready');
  });

  it('auditors and admins may not create packs (403)', async () => {
    for (const as of ['auditor1', 'admin1'] as const) {
      const refused = await api.call('POST', '/v1/packs', { as, body: { title: 't', items: [{ evidenceId: 'evd_x', version: 1 }] } });
      expect(refused.status).toBe(403);
    }
  });
});
