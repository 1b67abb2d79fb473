/**
 * The contract of the core's storage ports, run against the DynamoDB adapters (on DynamoDB
 * Local) and the in-memory ports alike, so a fake cannot drift from the real thing.
 */
import { describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, ConflictError } from '../../functions/core/errors.js';
import { newCommentId, newEventId, newEvidenceId, newItemId, newRequestId } from '../../functions/core/ids.js';
import type { AuditLog, CommentRepository, EvidenceRepository, OrganisationDirectory, PageRequest, Page, RequestRepository } from '../../functions/core/ports.js';
import type { Comment } from '../../functions/schemas/comments.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import type { StoredVersion } from '../../functions/core/ports.js';
import type { Evidence } from '../../functions/schemas/evidence.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';

export interface Ports {
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly auditLog: AuditLog;
  readonly organisations: OrganisationDirectory;
  readonly comments: CommentRepository;
}

let clock = Date.parse('2026-03-01T00:00:00.000Z');
/** Strictly increasing instants, so newest-first orders are known. */
const tick = () => new Date((clock += 1000)).toISOString();

/** Tenants of their own for each test, so the suite runs on a shared table. */
const tenant = () => Math.random().toString(36).slice(2, 8);

function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: newEventId(),
    occurredAt: tick(),
    action: 'request.read',
    outcome: 'SUCCESS',
    actor: { userId: 'u-1', role: 'buyer', orgId: 'B001' },
    resource: { type: 'request', id: 'req_x' },
    statusCode: 200,
    correlationId: 'c-1',
    ...overrides,
  };
}

function request(buyerOrgId: string, factoryId: string): EvidenceRequest {
  const at = tick();
  return {
    requestId: newRequestId(),
    buyerOrgId,
    factoryId,
    title: 'contract',
    status: 'OPEN',
    items: [{ itemId: newItemId(), docType: 'certificate', status: 'PENDING' }],
    createdAt: at,
    createdBy: 'u-1',
    updatedAt: at,
  };
}

function evidence(factoryId: string, docType = 'certificate'): { header: Omit<Evidence, 'versions'>; first: StoredVersion } {
  const at = tick();
  return {
    header: { evidenceId: newEvidenceId(), factoryId, name: 'ISO 9001', docType, latestVersion: 1, createdAt: at, updatedAt: at },
    first: { version: 1, createdAt: at, createdBy: 'u-f' },
  };
}

async function everything<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let round = 0; round < 100; round++) {
    const result = await list({ limit, cursor });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('paging did not end');
}

export function portContract(name: string, make: () => Promise<Ports>): void {
  describe(`${name}: the storage ports' contract`, () => {
    it('stores a request with its audit event, and reads it back with revision 1', async () => {
      const ports = await make();
      const r = request(`B${tenant()}`, `F${tenant()}`);
      const event = auditEvent({ resource: { type: 'request', id: r.requestId } });
      await ports.requests.create(r, event);
      expect(await ports.requests.get(r.requestId)).toEqual({ request: r, revision: 1 });
      expect(await ports.requests.get('req_missing')).toBeUndefined();
      expect((await ports.auditLog.list({ resourceId: r.requestId }, { limit: 10 })).items).toEqual([event]);
    });

    it('refuses a second create of the same request and a second event of the same id, writing nothing', async () => {
      const ports = await make();
      const r = request(`B${tenant()}`, `F${tenant()}`);
      await ports.requests.create(r, auditEvent({ resource: { type: 'request', id: r.requestId } }));
      const again = auditEvent({ resource: { type: 'request', id: r.requestId } });
      await expect(ports.requests.create({ ...r, title: 'other' }, again)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await ports.requests.get(r.requestId))?.request.title).toBe('contract');
      expect((await ports.auditLog.list({ resourceId: r.requestId }, { limit: 10 })).items).toHaveLength(1);
      const event = auditEvent();
      await ports.auditLog.record(event);
      await expect(ports.auditLog.record(event)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    });

    it('updates only from the expected revision, with the audit event and the share in the same write', async () => {
      const ports = await make();
      const factoryId = `F${tenant()}`;
      const buyerOrgId = `B${tenant()}`;
      const e = evidence(factoryId);
      await ports.evidence.create(e.header, e.first, auditEvent());
      const r = request(buyerOrgId, factoryId);
      await ports.requests.create(r, auditEvent());
      const next = { ...r, status: 'FULFILLED' as const, updatedAt: tick() };
      const share = { evidenceId: e.header.evidenceId, buyerOrgId, version: 1, sharedAt: next.updatedAt };
      const lost = auditEvent({ resource: { type: 'request', id: r.requestId }, action: 'request.item.fulfill' });
      await expect(ports.requests.update(next, 2, lost, share)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await ports.evidence.get(e.header.evidenceId))?.shares).toEqual([]);
      expect((await ports.auditLog.list({ resourceId: r.requestId }, { limit: 10 })).items).toEqual([]);

      const won = auditEvent({ resource: { type: 'request', id: r.requestId }, action: 'request.item.fulfill' });
      await ports.requests.update(next, 1, won, share);
      expect(await ports.requests.get(r.requestId)).toEqual({ request: next, revision: 2 });
      expect((await ports.evidence.get(e.header.evidenceId))?.shares).toEqual([share]);
      expect((await ports.auditLog.list({ resourceId: r.requestId }, { limit: 10 })).items).toEqual([won]);
      // Sharing the same version again keeps the first share.
      await ports.requests.update({ ...next, updatedAt: tick() }, 2, auditEvent(), { ...share, sharedAt: tick() });
      expect((await ports.evidence.get(e.header.evidenceId))?.shares).toEqual([share]);
    });

    it('lists a tenant\'s requests newest first, filtered, paged without loss or repeat', async () => {
      const ports = await make();
      const [buyer, other, factory] = [`B${tenant()}`, `B${tenant()}`, `F${tenant()}`];
      const mine: EvidenceRequest[] = [];
      for (let i = 0; i < 7; i++) {
        const r = { ...request(i === 3 ? other : buyer, factory), ...(i % 2 === 0 && { status: 'CANCELLED' as const }) };
        await ports.requests.create(r, auditEvent());
        if (i !== 3) mine.push(r);
      }
      const newestFirst = [...mine].reverse().map((r) => r.requestId);
      expect((await everything((page) => ports.requests.list({ by: 'buyer', orgId: buyer }, {}, page), 2)).map((r) => r.requestId)).toEqual(newestFirst);
      const cancelled = await everything((page) => ports.requests.list({ by: 'buyer', orgId: buyer }, { status: 'CANCELLED' }, page), 2);
      expect(cancelled.map((r) => r.requestId)).toEqual([...mine].reverse().filter((r) => r.status === 'CANCELLED').map((r) => r.requestId));
      const toFactory = await everything((page) => ports.requests.list({ by: 'factory', orgId: factory }, {}, page), 3);
      expect(toFactory).toHaveLength(7);
      const all = await everything((page) => ports.requests.list({ by: 'all' }, {}, page), 50);
      expect(all.filter((r) => r.factoryId === factory)).toHaveLength(7);
    });

    it('appends contiguous evidence versions only from the expected latest', async () => {
      const ports = await make();
      const e = evidence(`F${tenant()}`);
      await ports.evidence.create(e.header, e.first, auditEvent());
      const v2: StoredVersion = { version: 2, createdAt: tick(), createdBy: 'u-f', notes: 'second' };
      await expect(ports.evidence.appendVersion(e.header.evidenceId, 2, v2, auditEvent())).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await ports.evidence.appendVersion(e.header.evidenceId, 1, v2, auditEvent());
      const stored = await ports.evidence.get(e.header.evidenceId);
      expect(stored?.versions).toEqual([e.first, v2]);
      expect(stored?.evidence).toMatchObject({ latestVersion: 2, updatedAt: v2.createdAt });
      await expect(ports.evidence.appendVersion('evd_missing', 1, v2, auditEvent())).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(ports.evidence.appendVersion(e.header.evidenceId, 200, { ...v2, version: 201 }, auditEvent())).rejects.toBeInstanceOf(ConflictError);
      expect(await ports.evidence.get('evd_missing')).toBeUndefined();
    });

    it('moves a version\'s file status only from the statuses given and only for its file id, with the audit event', async () => {
      const ports = await make();
      const e = evidence(`F${tenant()}`);
      const file = { fileName: 'a.pdf', contentType: 'application/pdf' as const, size: 1, sha256: 'a'.repeat(64), status: 'PENDING_UPLOAD' as const, fileId: 'fil_contract' };
      await ports.evidence.create(e.header, { ...e.first, file }, auditEvent());
      const change = { evidenceId: e.header.evidenceId, version: 1, fileId: 'fil_contract', from: ['PENDING_UPLOAD'] as const, to: 'AVAILABLE' as const };
      await expect(ports.evidence.setFileStatus({ ...change, fileId: 'fil_other' }, auditEvent())).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(ports.evidence.setFileStatus({ ...change, version: 2 }, auditEvent())).rejects.toBeInstanceOf(ConcurrentUpdateError);
      const event = auditEvent({ resource: { type: 'evidence', id: e.header.evidenceId } });
      await ports.evidence.setFileStatus(change, event);
      expect((await ports.evidence.get(e.header.evidenceId))?.versions[0]?.file).toEqual({ ...file, status: 'AVAILABLE' });
      expect((await ports.auditLog.list({ resourceId: e.header.evidenceId }, { limit: 10 })).items).toEqual([event]);
      // Settled: a second change from PENDING_UPLOAD is refused and records nothing.
      await expect(ports.evidence.setFileStatus({ ...change, to: 'REJECTED' }, auditEvent({ resource: { type: 'evidence', id: e.header.evidenceId } }))).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await ports.auditLog.list({ resourceId: e.header.evidenceId }, { limit: 10 })).items).toEqual([event]);
    });

    it('lists a factory\'s evidence newest first, by docType', async () => {
      const ports = await make();
      const factory = `F${tenant()}`;
      const created = [];
      for (const docType of ['certificate', 'audit-report', 'certificate']) {
        const e = evidence(factory, docType);
        await ports.evidence.create(e.header, e.first, auditEvent());
        created.push(e.header);
      }
      const all = await everything((page) => ports.evidence.list({ by: 'factory', factoryId: factory }, {}, page), 2);
      expect(all.map((e) => e.evidenceId)).toEqual([...created].reverse().map((e) => e.evidenceId));
      expect(all[0]?.versions).toHaveLength(1);
      const certificates = await everything((page) => ports.evidence.list({ by: 'factory', factoryId: factory }, { docType: 'certificate' }, page), 1);
      expect(certificates.map((e) => e.docType)).toEqual(['certificate', 'certificate']);
    });

    it('filters the audit trail by actor, resource, outcome and organisations, within [from, to)', async () => {
      const ports = await make();
      const actor = `u-${tenant()}`;
      const resource = `req_${tenant()}`;
      const events = [
        auditEvent({ actor: { userId: actor, role: 'buyer', orgId: 'B001' }, resource: { type: 'request', id: resource } }),
        auditEvent({ actor: { userId: actor, role: 'buyer', orgId: 'B001' }, outcome: 'DENIED', statusCode: 404, resource: { type: 'request', id: resource } }),
        auditEvent({ actor: { userId: `u-${tenant()}`, role: 'factory', orgId: 'F009' }, resource: { type: 'request', id: resource } }),
        auditEvent({ actor: { userId: actor, role: 'buyer', orgId: 'B001' }, action: 'evidence.read', resource: { type: 'evidence', id: `evd_${tenant()}` } }),
      ];
      for (const event of events) await ports.auditLog.record(event);
      const ids = (page: Page<AuditEvent>) => page.items.map((e) => e.eventId);
      expect(ids(await ports.auditLog.list({ resourceId: resource }, { limit: 10 }))).toEqual([events[2], events[1], events[0]].map((e) => e!.eventId));
      expect(ids(await ports.auditLog.list({ actorId: actor }, { limit: 10 }))).toEqual([events[3], events[1], events[0]].map((e) => e!.eventId));
      expect(ids(await ports.auditLog.list({ actorId: actor, outcome: 'DENIED' }, { limit: 10 }))).toEqual([events[1]!.eventId]);
      expect(ids(await ports.auditLog.list({ resourceId: resource, actorOrgIds: ['F009'] }, { limit: 10 }))).toEqual([events[2]!.eventId]);
      expect(ids(await ports.auditLog.list({ actorId: actor, resourceType: 'evidence', action: 'evidence.read' }, { limit: 10 }))).toEqual([events[3]!.eventId]);
      const window = { from: events[1]!.occurredAt, to: events[3]!.occurredAt };
      expect(ids(await ports.auditLog.list({ actorId: actor, ...window }, { limit: 10 }))).toEqual([events[1]!.eventId]);
      const paged = await everything((page) => ports.auditLog.list({ resourceId: resource }, page), 1);
      expect(paged.map((e) => e.eventId)).toEqual([events[2], events[1], events[0]].map((e) => e!.eventId));
    });

    it('knows the registered organisations and their kinds', async () => {
      const ports = await make();
      expect(await ports.organisations.kindOf('F001')).toBe('factory');
      expect(await ports.organisations.kindOf('B001')).toBe('buyer');
      expect(await ports.organisations.kindOf('X999')).toBeUndefined();
    });

    it('lists a request\'s comments oldest first, page by page, and writes each with its audit event', async () => {
      const ports = await make();
      const r = request(`B${tenant()}`, `F${tenant()}`);
      await ports.requests.create(r, auditEvent());
      const comments: Comment[] = [0, 1, 2].map((i) => ({
        commentId: newCommentId(),
        requestId: r.requestId,
        text: `comment ${i}`,
        author: { userId: 'u-1', username: 'buyer1', role: 'buyer', orgId: r.buyerOrgId },
        createdAt: tick(),
      }));
      for (const c of comments) await ports.comments.create(c, auditEvent({ action: 'request.comment.create', resource: { type: 'request', id: r.requestId } }));
      const reused = auditEvent();
      await ports.auditLog.record(reused);
      await expect(ports.comments.create({ ...comments[0]!, commentId: newCommentId() }, reused)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await ports.comments.list(r.requestId, { limit: 10 })).items).toEqual(comments);
      expect(await everything((page) => ports.comments.list(r.requestId, page), 2)).toEqual(comments);
      expect((await ports.comments.list('req_other', { limit: 10 })).items).toEqual([]);
      expect((await ports.auditLog.list({ resourceId: r.requestId, action: 'request.comment.create' }, { limit: 10 })).items).toHaveLength(3);
    });

    it('filters a tenant\'s requests by due date (exclusive) and overdue status, latest due date first', async () => {
      const ports = await make();
      const buyerOrgId = `B${tenant()}`;
      const factoryId = `F${tenant()}`;
      const due = (dueDate: string | undefined, status: EvidenceRequest['status'] = 'OPEN') => ({ ...request(buyerOrgId, factoryId), status, ...(dueDate && { dueDate }) });
      const [early, mid, late, none, done] = [due('2027-01-01'), due('2027-01-05', 'IN_PROGRESS'), due('2027-02-01'), due(undefined), due('2027-01-02', 'COMPLETED')];
      for (const r of [early, mid, late, none, done]) await ports.requests.create(r!, auditEvent());
      const ids = (page: Page<EvidenceRequest>) => page.items.map((r) => r.requestId);
      for (const scope of [{ by: 'buyer', orgId: buyerOrgId }, { by: 'factory', orgId: factoryId }] as const) {
        expect(ids(await ports.requests.list(scope, { dueBefore: '2027-01-05' }, { limit: 10 }))).toEqual([done!.requestId, early!.requestId]);
        expect(ids(await ports.requests.list(scope, { overdueOn: '2027-01-06' }, { limit: 10 }))).toEqual([mid!.requestId, early!.requestId]);
        expect(ids(await ports.requests.list(scope, { overdueOn: '2027-03-01', dueBefore: '2027-01-03', status: 'OPEN' }, { limit: 10 }))).toEqual([early!.requestId]);
        const paged = await everything((page) => ports.requests.list(scope, { dueBefore: '2028-01-01' }, page), 1);
        expect(paged.map((r) => r.requestId)).toEqual([late, mid, done, early].map((r) => r!.requestId));
      }
      const all = await ports.requests.list({ by: 'all' }, { dueBefore: '2027-01-05' }, { limit: 100 });
      expect(ids(all)).toEqual(expect.arrayContaining([done!.requestId, early!.requestId]));
      expect(ids(all)).not.toContain(mid!.requestId);
    });
  });
}
