/**
 * The request, comment and evidence use cases on the in-memory ports, asserted on exact
 * answers and the exact audit changes each one commits: what the optional fields do, every
 * rule's error (path, code, message) and the boundaries of the date rules.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../functions/core/audit-trail.js';
import type { AppError, ValidationError } from '../../functions/core/errors.js';
import type { Principal } from '../../functions/core/principal.js';
import type { UseCaseContext, UseCaseInput } from '../../functions/core/use-cases/context.js';
import * as evidence from '../../functions/core/use-cases/evidence.js';
import { verifyStoredObject, fileKeyOf } from '../../functions/core/use-cases/evidence-files.js';
import * as requests from '../../functions/core/use-cases/requests.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { memoryPorts } from '../support/memory-ports.js';
import { PEOPLE, type Person } from '../support/principals.js';


const T0 = Date.parse('2027-01-01T10:00:00.000Z');
let ports: ReturnType<typeof memoryPorts>;
let clock: number;
let calls: number;
beforeEach(() => {
  ports = memoryPorts();
  clock = T0;
  calls = 0;
});

const now = () => new Date((clock += 1000));
/** `resourceId`: the path's id, as the audit middleware hands it to the trail. */
const ctx = (person: Person, successStatus = 200, resourceId?: string): UseCaseContext & { audit: AuditTrail; correlationId: string } => {
  const principal: Principal = PEOPLE[person];
  const correlationId = `c-${(calls += 1)}`;
  return { principal, now, correlationId, audit: new AuditTrail({ action: 'request.create', resourceType: 'request', resourceId, correlationId, sourceIp: '203.0.113.9', userAgent: 'ua', successStatus }, principal, now) };
};
const input = <P, Q, B>(parts: { path?: P; query?: Q; body?: B }) => ({ path: parts.path, query: parts.query ?? {}, body: parts.body }) as UseCaseInput<P, Q, B>;
const eventOf = (c: { correlationId: string }): AuditEvent | undefined => [...ports.store.audit.values()].find((e) => e.correlationId === c.correlationId);

async function refusal(run: () => Promise<unknown>): Promise<{ type: string; code: string; outcome: string; message: string; errors?: unknown }> {
  try {
    await run();
  } catch (error) {
    const e = error as AppError & Partial<ValidationError>;
    return { type: e.constructor.name, code: e.code, outcome: e.outcome, message: e.message, ...(e.errors && { errors: e.errors }) };
  }
  throw new Error('expected a refusal');
}

const create = (body: Record<string, unknown>, person: Person = 'buyer1') => {
  const c = ctx(person, 201);
  return { c, run: () => requests.createRequest(ports, c, input({ body: { factoryId: 'F001', title: 't', items: [{ docType: 'certificate' }], ...body } as never })) };
};

describe('createRequest', () => {
  it('answers the request as stored, with only the optional fields given, and commits its changes', async () => {
    const { c, run } = create({ description: 'd', dueDate: '2027-01-01', items: [{ docType: 'certificate', note: 'n' }, { docType: 'audit-report' }] });
    const request = await run();
    expect({ ...request, requestId: undefined, items: request.items.map((i) => ({ ...i, itemId: undefined })) }).toEqual({
      requestId: undefined,
      buyerOrgId: 'B001',
      factoryId: 'F001',
      title: 't',
      description: 'd',
      dueDate: '2027-01-01',
      status: 'OPEN',
      items: [
        { itemId: undefined, docType: 'certificate', note: 'n', status: 'PENDING' },
        { itemId: undefined, docType: 'audit-report', status: 'PENDING' },
      ],
      createdAt: '2027-01-01T10:00:01.000Z',
      createdBy: 'u-b1',
      updatedAt: '2027-01-01T10:00:01.000Z',
    });
    expect(request.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(request.items.map((i) => i.itemId)).toEqual([expect.stringMatching(/^itm_[0-9A-Z]{26}$/), expect.stringMatching(/^itm_[0-9A-Z]{26}$/)]);
    expect(Object.keys(request.items[1]!)).not.toContain('note');
    expect((await ports.requests.get(request.requestId))!.request).toEqual(request);
    expect(eventOf(c)).toMatchObject({ outcome: 'SUCCESS', statusCode: 201, resource: { type: 'request', id: request.requestId }, changes: { factoryId: 'F001', itemCount: 2, status: 'OPEN', dueDate: '2027-01-01' } });
  });

  it('leaves description, dueDate and their changes out when not given', async () => {
    const { c, run } = create({});
    const request = await run();
    expect(Object.keys(request)).not.toContain('description');
    expect(Object.keys(request)).not.toContain('dueDate');
    expect(eventOf(c)!.changes).toEqual({ factoryId: 'F001', itemCount: 1, status: 'OPEN' });
  });

  it('refuses an unregistered or buyer factoryId and a due date before today (UTC), and accepts today', async () => {
    for (const factoryId of ['F999', 'B002']) {
      expect(await refusal(create({ factoryId }).run)).toEqual({
        type: 'ValidationError',
        code: 'factory-not-registered',
        outcome: 'FAILED',
        message: '/factoryId: must name a registered factory organisation',
        errors: [{ path: '/factoryId', message: 'must name a registered factory organisation' }],
      });
    }
    expect(await refusal(create({ dueDate: '2026-12-31' }).run)).toEqual({
      type: 'ValidationError',
      code: 'due-date-past',
      outcome: 'FAILED',
      message: '/dueDate: must not lie in the past (today is 2027-01-01 UTC)',
      errors: [{ path: '/dueDate', message: 'must not lie in the past (today is 2027-01-01 UTC)' }],
    });
    expect((await create({ dueDate: '2027-01-01' }).run()).dueDate).toBe('2027-01-01');
    expect(requests.utcDate(new Date('2027-03-04T23:59:59.999Z'))).toBe('2027-03-04');
  });
});

describe('listRequests', () => {
  it('lists a buyer its org\'s requests, a factory those addressed to it, an auditor all, with the filters', async () => {
    const mine = await create({ dueDate: '2027-01-02' }).run();
    await create({ factoryId: 'F002' }, 'buyer2').run();
    await create({ factoryId: 'F002' }, 'buyer1').run();
    const ids = async (person: Person, query: Record<string, unknown> = {}, operation: 'listRequests' | 'listFactoryRequests' = 'listRequests') =>
      (await requests.listRequests(ports, ctx(person), operation, input({ query: query as never }))).items.map((r) => `${r.buyerOrgId}>${r.factoryId}`).sort();
    expect(await ids('buyer1')).toEqual(['B001>F001', 'B001>F002']);
    expect(await ids('buyer2')).toEqual(['B002>F002']);
    expect(await ids('factory1', {}, 'listFactoryRequests')).toEqual(['B001>F001']);
    expect(await ids('factory2')).toEqual(['B001>F002', 'B002>F002']);
    expect(await ids('auditor1')).toEqual(['B001>F001', 'B001>F002', 'B002>F002']);
    expect(await ids('buyer1', { dueBefore: '2027-01-03' })).toEqual(['B001>F001']);
    expect(await ids('buyer1', { status: 'CANCELLED' })).toEqual([]);
    expect(await ids('buyer1', { overdue: 'true' })).toEqual([]);
    clock = Date.parse('2027-01-05T00:00:00.000Z');
    expect(await ids('buyer1', { overdue: 'true' })).toEqual(['B001>F001']);
    expect(await ids('buyer1', { overdue: 'false' })).toEqual(['B001>F001', 'B001>F002']);
    expect(mine.dueDate).toBe('2027-01-02');
    const page = await requests.listRequests(ports, ctx('auditor1'), 'listRequests', input({ query: { limit: 2 } as never }));
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeDefined();
  });
});

/** Evidence of factory1: version 1 with `expiresAt`, and a version with a file when asked. */
async function anEvidence(body: Record<string, unknown> = {}, person: Person = 'factory1') {
  const c = ctx(person, 201);
  const created = await evidence.createEvidence(ports, c, input({ body: { name: 'n', docType: 'certificate', ...body } as never }));
  return { c, created };
}

describe('fulfilItem evidence checks', () => {
  const fulfil = async (body: Record<string, unknown>, docType = 'certificate') => {
    const request = await create({ items: [{ docType }] }).run();
    return () => requests.fulfilItem(ports, ctx('factory1'), input({ path: { requestId: request.requestId, itemId: request.items[0]!.itemId }, body: body as never }));
  };

  it('names the rule each refusal breaks', async () => {
    const { created } = await anEvidence({ docType: 'audit-report' });
    expect(await refusal(await fulfil({ evidenceId: created.evidenceId }))).toEqual({
      type: 'ValidationError',
      code: 'evidence-doctype-mismatch',
      outcome: 'FAILED',
      message: '/evidenceId: the evidence is of docType audit-report, the item asks for certificate',
      errors: [{ path: '/evidenceId', message: 'the evidence is of docType audit-report, the item asks for certificate' }],
    });
    const { created: other } = await anEvidence();
    expect(await refusal(await fulfil({ evidenceId: other.evidenceId, version: 3 }))).toMatchObject({
      code: 'version-not-found',
      errors: [{ path: '/version', message: 'the evidence has no version 3' }],
    });
  });

  it('counts a version as expired from the instant of its expiresAt on', async () => {
    const expiresAt = '2027-06-01T00:00:00.000Z';
    const { created } = await anEvidence({ expiresAt });
    const run = await fulfil({ evidenceId: created.evidenceId });
    // The fulfilment reads the clock once, the next second: exactly at expiresAt.
    clock = Date.parse(expiresAt) - 1000;
    expect(await refusal(run)).toMatchObject({
      code: 'version-expired',
      errors: [{ path: '/version', message: `version 1 expired at ${expiresAt}` }],
    });
    const again = await fulfil({ evidenceId: created.evidenceId });
    clock = Date.parse(expiresAt) - 2000;
    expect((await again()).status).toBe('FULFILLED');
  });

  it('shares only a file that is AVAILABLE', async () => {
    const file = { fileName: 'a.pdf', contentType: 'application/pdf', size: 3, sha256: 'c'.repeat(64) };
    const { created } = await anEvidence({ file });
    const run = await fulfil({ evidenceId: created.evidenceId });
    expect(await refusal(run)).toMatchObject({ code: 'file-not-available', errors: [{ path: '/version', message: 'the file of version 1 is PENDING_UPLOAD, not AVAILABLE' }] });
    const stored = (await ports.evidence.get(created.evidenceId))!;
    const key = fileKeyOf(stored, { ...stored.versions[0]!, file: stored.versions[0]!.file! });
    await verifyStoredObject({ evidence: ports.evidence, objects: { measure: async () => ({ size: 3, sha256: 'c'.repeat(64) }), tagRejected: async () => {} } }, key, 'c-v');
    expect((await run()).items[0]).toMatchObject({ status: 'FULFILLED', evidenceId: created.evidenceId, evidenceVersion: 1 });
  });
});

describe('review, cancel and history', () => {
  async function fulfilled() {
    const request = await create({}).run();
    const { created } = await anEvidence();
    const itemId = request.items[0]!.itemId;
    await requests.fulfilItem(ports, ctx('factory1', 200, request.requestId), input({ path: { requestId: request.requestId, itemId }, body: { evidenceId: created.evidenceId } }));
    return { request, itemId };
  }

  it('commits the decision and the comment of a review, and the reason of a cancel', async () => {
    const { request, itemId } = await fulfilled();
    const c = ctx('buyer1');
    await requests.reviewItem(ports, c, input({ path: { requestId: request.requestId, itemId }, body: { decision: 'REJECT', comment: 'blurred' } }));
    expect(eventOf(c)!.changes).toEqual({ itemId, itemStatus: { from: 'FULFILLED', to: 'REJECTED' }, requestStatus: { from: 'FULFILLED', to: 'IN_PROGRESS' }, decision: 'REJECT', comment: 'blurred' });
    const cancelled = ctx('buyer1');
    const answer = await requests.cancelRequest(ports, cancelled, input({ path: { requestId: request.requestId }, body: { reason: 'moved' } }));
    expect(answer).toMatchObject({ status: 'CANCELLED', cancelledBy: 'u-b1', cancelReason: 'moved' });
    expect(eventOf(cancelled)!.changes).toEqual({ requestStatus: { from: 'IN_PROGRESS', to: 'CANCELLED' }, reason: 'moved' });
  });

  it('commits a review without a comment and a cancel without a reason without them', async () => {
    const { request, itemId } = await fulfilled();
    const c = ctx('buyer1');
    await requests.reviewItem(ports, c, input({ path: { requestId: request.requestId, itemId }, body: { decision: 'REJECT' } }));
    expect(Object.keys(eventOf(c)!.changes!)).not.toContain('comment');
    const cancelled = ctx('buyer1');
    await requests.cancelRequest(ports, cancelled, input({ path: { requestId: request.requestId }, body: {} }));
    expect(eventOf(cancelled)!.changes).toEqual({ requestStatus: { from: 'IN_PROGRESS', to: 'CANCELLED' } });
  });

  it("shows a party only its two organisations' events, without network details; an auditor every event", async () => {
    const { request } = await fulfilled();
    const { requestId } = request;
    // The auditor's read, recorded as the audit middleware records a read.
    const read = ctx('auditor1', 200, requestId);
    await requests.getRequest(ports, read, input({ path: { requestId } }));
    await read.audit.record({ outcome: 'SUCCESS', statusCode: 200 }, (e) => ports.auditLog.record(e));
    const history = (person: Person) => requests.getRequestHistory(ports, ctx(person), input({ path: { requestId }, query: {} }));
    const party = await history('buyer1');
    expect(party.items.map((e) => e.actor.userId).sort()).toEqual(['u-b1', 'u-f1']);
    for (const e of party.items) {
      expect(Object.keys(e)).not.toContain('sourceIp');
      expect(Object.keys(e)).not.toContain('userAgent');
    }
    const all = await history('auditor1');
    expect(all.items.map((e) => e.actor.userId).sort()).toEqual(['u-a1', 'u-b1', 'u-f1']);
    expect(all.items.every((e) => e.sourceIp === '203.0.113.9' && e.userAgent === 'ua')).toBe(true);
  });
});

describe('comments', () => {
  it('lets both parties comment, on the request or one of its items, and lists them oldest first', async () => {
    const request = await create({}).run();
    const itemId = request.items[0]!.itemId;
    const buyer = ctx('buyer1', 201);
    const first = await requests.createComment(ports, buyer, input({ path: { requestId: request.requestId }, body: { text: 'please' } }));
    expect({ ...first, commentId: undefined }).toEqual({
      commentId: undefined,
      requestId: request.requestId,
      text: 'please',
      author: { userId: 'u-b1', username: 'buyer1', role: 'buyer', orgId: 'B001' },
      createdAt: expect.stringMatching(/^2027-01-01T10:00:\d\d\.000Z$/),
    });
    expect(first.commentId).toMatch(/^cmt_[0-9A-Z]{26}$/);
    expect(eventOf(buyer)!.changes).toEqual({ commentId: first.commentId, text: 'please' });
    const factory = ctx('factory1', 201);
    const second = await requests.createComment(ports, factory, input({ path: { requestId: request.requestId }, body: { text: 'on it', itemId } }));
    expect(second).toMatchObject({ itemId, author: { role: 'factory', orgId: 'F001' } });
    expect(eventOf(factory)!.changes).toEqual({ commentId: second.commentId, itemId, text: 'on it' });
    for (const person of ['buyer1', 'factory1', 'auditor1'] as const) {
      const page = await requests.listComments(ports, ctx(person), input({ path: { requestId: request.requestId }, query: {} }));
      expect(page.items.map((x) => x.text), person).toEqual(['please', 'on it']);
    }
  });

  it('refuses an item of no such request, another tenant and a read-only role', async () => {
    const request = await create({}).run();
    const comment = (person: Person, body: Record<string, unknown>) => () => requests.createComment(ports, ctx(person, 201), input({ path: { requestId: request.requestId }, body: body as never }));
    expect(await refusal(comment('buyer1', { text: 'x', itemId: 'itm_nope' }))).toEqual({
      type: 'ValidationError',
      code: 'comment-item-not-found',
      outcome: 'FAILED',
      message: '/itemId: names no item of this request',
      errors: [{ path: '/itemId', message: 'names no item of this request' }],
    });
    expect(await refusal(comment('buyer2', { text: 'x' }))).toMatchObject({ type: 'HiddenNotFoundError', outcome: 'DENIED' });
    expect(await refusal(comment('auditor1', { text: 'x' }))).toMatchObject({ type: 'ForbiddenError', code: 'role-forbidden' });
    expect(await refusal(() => requests.listComments(ports, ctx('factory2'), input({ path: { requestId: request.requestId }, query: {} })))).toMatchObject({ type: 'HiddenNotFoundError' });
  });
});

describe('evidence', () => {
  const FILE = { fileName: 'a.pdf', contentType: 'application/pdf', size: 3, sha256: 'c'.repeat(64) };

  it('creates version 1 with only the fields given, and an upload URL only with a file', async () => {
    const { c, created } = await anEvidence({ notes: 'n', expiresAt: '2030-01-01T00:00:00.000Z' });
    expect({ ...created, evidenceId: undefined }).toEqual({
      evidenceId: undefined,
      factoryId: 'F001',
      name: 'n',
      docType: 'certificate',
      notes: 'n',
      latestVersion: 1,
      createdAt: '2027-01-01T10:00:01.000Z',
      updatedAt: '2027-01-01T10:00:01.000Z',
      versions: [{ version: 1, createdAt: '2027-01-01T10:00:01.000Z', createdBy: 'u-f1', expiresAt: '2030-01-01T00:00:00.000Z' }],
    });
    expect(eventOf(c)!.changes).toEqual({ docType: 'certificate', version: 1 });
    const bare = await anEvidence();
    expect(Object.keys(bare.created)).not.toContain('notes');
    expect(Object.keys(bare.created)).not.toContain('uploadUrl');
    expect(Object.keys(bare.created.versions[0]!)).not.toContain('expiresAt');
    const withFile = await anEvidence({ file: FILE });
    expect((withFile.created as { uploadUrl?: string }).uploadUrl).toMatch(/^https:\/\/uploads\.example\.test\/evidence\/F001\/evd_/);
    expect(withFile.created.versions[0]!.file).toEqual({ ...FILE, status: 'PENDING_UPLOAD' });
    expect(eventOf(withFile.c)!.changes).toEqual({ docType: 'certificate', version: 1, sha256: FILE.sha256 });
  });

  it('adds versions numbered on, with an upload URL only for a file, and refuses another factory', async () => {
    const { created } = await anEvidence();
    const add = (body: Record<string, unknown>, person: Person = 'factory1') => {
      const c = ctx(person, 201);
      return { c, run: () => evidence.addEvidenceVersion(ports, c, input({ path: { evidenceId: created.evidenceId }, body: body as never })) };
    };
    const two = add({ notes: 'second', expiresAt: '2031-01-01T00:00:00.000Z' });
    expect(await two.run()).toEqual({ version: 2 });
    expect(eventOf(two.c)!.changes).toEqual({ version: 2 });
    const three = add({ file: FILE });
    const answer = await three.run();
    expect(answer.version).toBe(3);
    expect(answer.uploadUrl).toMatch(/\/v3\/fil_/);
    expect(eventOf(three.c)!.changes).toEqual({ version: 3, sha256: FILE.sha256 });
    const stored = await evidence.getEvidence(ports, ctx('factory1'), input({ path: { evidenceId: created.evidenceId } }));
    expect(stored.latestVersion).toBe(3);
    expect(stored.versions[1]).toEqual({ version: 2, createdAt: expect.any(String), createdBy: 'u-f1', notes: 'second', expiresAt: '2031-01-01T00:00:00.000Z' });
    expect(Object.keys(stored.versions[2]!)).not.toContain('notes');
    expect(await refusal(add({}, 'factory2').run)).toEqual({ type: 'HiddenNotFoundError', code: 'evidence-not-found', outcome: 'DENIED', message: 'No such evidence' });
    expect(await refusal(() => evidence.addEvidenceVersion(ports, ctx('factory1', 201), input({ path: { evidenceId: 'evd_none' }, body: {} })))).toEqual({
      type: 'NotFoundError',
      code: 'evidence-not-found',
      outcome: 'FAILED',
      message: 'No such evidence',
    });
  });

  it('lists a factory its own evidence and an auditor all, by docType', async () => {
    await anEvidence();
    await anEvidence({ docType: 'audit-report' });
    await anEvidence({}, 'factory2');
    const list = async (person: Person, query: Record<string, unknown> = {}) =>
      (await evidence.listEvidence(ports, ctx(person), input({ query: query as never }))).items.map((e) => `${e.factoryId}:${e.docType}`).sort();
    expect(await list('factory1')).toEqual(['F001:audit-report', 'F001:certificate']);
    expect(await list('auditor1')).toEqual(['F001:audit-report', 'F001:certificate', 'F002:certificate']);
    expect(await list('auditor1', { docType: 'certificate' })).toEqual(['F001:certificate', 'F002:certificate']);
    const page = await evidence.listEvidence(ports, ctx('factory1'), input({ query: { limit: 1 } as never }));
    expect(page.items[0]!.versions).toHaveLength(1);
  });

  it('reads evidence for the owner and an auditor in full, and refuses others exactly', async () => {
    const { created } = await anEvidence();
    const read = (person: Person, evidenceId = created.evidenceId) => () => evidence.getEvidence(ports, ctx(person), input({ path: { evidenceId } }));
    expect((await read('factory1')()).evidenceId).toBe(created.evidenceId);
    expect((await read('auditor1')()).versions).toHaveLength(1);
    const hidden = { type: 'HiddenNotFoundError', code: 'evidence-not-found', outcome: 'DENIED', message: 'No such evidence' };
    expect(await refusal(read('factory2'))).toEqual(hidden);
    expect(await refusal(read('buyer1'))).toEqual(hidden);
    expect(await refusal(read('factory1', 'evd_none'))).toEqual({ type: 'NotFoundError', code: 'evidence-not-found', outcome: 'FAILED', message: 'No such evidence' });
  });
});
