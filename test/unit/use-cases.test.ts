/** The use cases alone, on the in-memory ports: each owns its policy (role, tenancy, state rules) and knows no HTTP. */
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../functions/core/audit-trail.js';
import {
  ConflictError,
  ForbiddenError,
  HiddenNotFoundError,
  HiddenValidationError,
  NotFoundError,
  ValidationError,
  type AppError,
} from '../../functions/core/errors.js';
import type { Role } from '../../functions/core/permissions.js';
import type { UseCaseContext, UseCaseInput } from '../../functions/core/use-cases/context.js';
import { listAudit } from '../../functions/core/use-cases/audit.js';
import * as evidence from '../../functions/core/use-cases/evidence.js';
import * as requests from '../../functions/core/use-cases/requests.js';
import type { AuditAction, ResourceType } from '../../functions/schemas/audit.js';
import { memoryPorts } from '../support/memory-ports.js';
import { PEOPLE, type Person } from '../support/principals.js';


let ports: ReturnType<typeof memoryPorts>;
let clock: number;
beforeEach(() => {
  ports = memoryPorts();
  clock = Date.parse('2027-01-01T00:00:00.000Z');
});

const now = () => new Date((clock += 1000));

function ctx(person: Person, successStatus = 200, action: AuditAction = 'request.read', resourceType: ResourceType = 'request'): UseCaseContext & { audit: AuditTrail } {
  const principal = PEOPLE[person]!;
  return { principal, now, audit: new AuditTrail({ action, resourceType, correlationId: `c-${person}`, successStatus }, principal, now) };
}

/** An input whose every part throws when read: a use case that authorizes first never touches it. */
const untouchable = new Proxy({} as UseCaseInput<any, any, any>, {
  get: () => {
    throw new Error('the input was read before authorization');
  },
});

const input = <P, Q, B>(parts: { path?: P; query?: Q; body?: B }) => ({ path: parts.path, query: parts.query, body: parts.body }) as UseCaseInput<P, Q, B>;

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

async function aRequest(buyer: Person = 'buyer1', factoryId = 'F001', docTypes = ['certificate']) {
  return requests.createRequest(ports, ctx(buyer, 201, 'request.create'), input({ body: { factoryId, title: 't', items: docTypes.map((docType) => ({ docType })) } }));
}

async function anEvidence(factory: Person = 'factory1', docType = 'certificate', expiresAt?: string) {
  return evidence.createEvidence(ports, ctx(factory, 201, 'evidence.create', 'evidence'), input({ body: { name: 'n', docType, ...(expiresAt && { expiresAt }) } }));
}

describe('role checks inside the use cases', () => {
  const forbidden: [string, Role[], (c: UseCaseContext) => Promise<unknown>][] = [
    ['createRequest', ['factory', 'auditor', 'admin'], (c) => requests.createRequest(ports, c, untouchable)],
    ['createEvidence', ['buyer', 'auditor', 'admin'], (c) => evidence.createEvidence(ports, c, untouchable)],
    ['addEvidenceVersion', ['buyer', 'auditor', 'admin'], (c) => evidence.addEvidenceVersion(ports, c, untouchable)],
    ['fulfilItem', ['buyer', 'auditor', 'admin'], (c) => requests.fulfilItem(ports, c, untouchable)],
    ['reviewItem', ['factory', 'auditor', 'admin'], (c) => requests.reviewItem(ports, c, untouchable)],
    ['cancelRequest', ['factory', 'auditor', 'admin'], (c) => requests.cancelRequest(ports, c, untouchable)],
    ['listFactoryRequests', ['buyer', 'auditor', 'admin'], (c) => requests.listRequests(ports, c, 'listFactoryRequests', untouchable)],
    ['listEvidence', ['buyer'], (c) => evidence.listEvidence(ports, c, untouchable)],
    ['listAudit', ['buyer', 'factory'], (c) => listAudit(ports, c, untouchable)],
  ];
  const byRole: Record<Role, Person> = { buyer: 'buyer1', factory: 'factory1', auditor: 'auditor1', admin: 'admin1' };
  for (const [operation, roles, run] of forbidden) {
    for (const role of roles) {
      it(`${operation} refuses the ${role} role (403, DENIED) before reading its input or any port`, async () => {
        const error = await refusal(() => run(ctx(byRole[role])));
        expect(error).toBeInstanceOf(ForbiddenError);
        expect({ code: error.code, outcome: error.outcome }).toEqual({ code: 'role-forbidden', outcome: 'DENIED' });
        expect(ports.store.audit.size).toBe(0);
      });
    }
  }
});

describe('createRequest', () => {
  it('opens the request for the caller\'s organisation and commits its audit event with the success status it was given', async () => {
    const c = ctx('buyer1', 201, 'request.create');
    const created = await requests.createRequest(ports, c, input({ body: { factoryId: 'F001', title: 't', items: [{ docType: 'certificate' }] } }));
    expect(created).toMatchObject({ buyerOrgId: 'B001', factoryId: 'F001', status: 'OPEN', items: [{ status: 'PENDING' }] });
    expect([...ports.store.audit.values()]).toMatchObject([{ outcome: 'SUCCESS', statusCode: 201, resource: { id: created.requestId }, changes: { itemCount: 1 } }]);
    expect(c.audit.recorded).toBe(true);
  });

  it('refuses a factory id that is not a registered factory', async () => {
    for (const factoryId of ['F999', 'B002']) {
      const error = await refusal(() => requests.createRequest(ports, ctx('buyer1'), input({ body: { factoryId, title: 't', items: [{ docType: 'x' }] } })));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('factory-not-registered');
    }
  });
});

describe('getRequest and its tenancy', () => {
  it('answers the parties and the read-only roles; another tenant gets the not-found of an unknown id, audited DENIED', async () => {
    const { requestId } = await aRequest();
    for (const person of ['buyer1', 'factory1', 'auditor1', 'admin1'] as const) {
      expect((await requests.getRequest(ports, ctx(person), input({ path: { requestId } }))).requestId).toBe(requestId);
    }
    const hidden = await refusal(() => requests.getRequest(ports, ctx('buyer2'), input({ path: { requestId } })));
    const unknown = await refusal(() => requests.getRequest(ports, ctx('buyer2'), input({ path: { requestId: 'req_missing' } })));
    expect(hidden).toBeInstanceOf(HiddenNotFoundError);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect({ code: hidden.code, message: hidden.message, outcome: hidden.outcome }).toEqual({ code: unknown.code, message: unknown.message, outcome: 'DENIED' });
    expect(unknown.outcome).toBe('FAILED');
  });
});

describe('fulfilItem', () => {
  it('fulfils with the latest version, shares it with the buyer, and reads the request and the evidence once each', async () => {
    const request = await aRequest();
    const evd = await anEvidence();
    let reads = 0;
    const counting = {
      ...ports,
      requests: { ...ports.requests, get: (id: string) => ((reads += 1), ports.requests.get(id)), update: ports.requests.update.bind(ports.requests), create: ports.requests.create.bind(ports.requests), list: ports.requests.list.bind(ports.requests) },
      evidence: { ...ports.evidence, get: (id: string) => ((reads += 1), ports.evidence.get(id)), create: ports.evidence.create.bind(ports.evidence), appendVersion: ports.evidence.appendVersion.bind(ports.evidence), setFileStatus: ports.evidence.setFileStatus.bind(ports.evidence), list: ports.evidence.list.bind(ports.evidence) },
    };
    const c = ctx('factory1', 200, 'request.item.fulfill');
    const next = await requests.fulfilItem(counting, c, input({ path: { requestId: request.requestId, itemId: request.items[0]!.itemId }, body: { evidenceId: evd.evidenceId } }));
    expect(reads).toBe(2);
    expect(next.items[0]).toMatchObject({ status: 'FULFILLED', evidenceId: evd.evidenceId, evidenceVersion: 1 });
    expect((await ports.evidence.get(evd.evidenceId))?.shares).toMatchObject([{ buyerOrgId: 'B001', version: 1 }]);
    const events = [...ports.store.audit.values()].filter((e) => e.action === 'request.item.fulfill');
    expect(events).toMatchObject([{ statusCode: 200, changes: { itemStatus: { from: 'PENDING', to: 'FULFILLED' } } }]);
  });

  it('names the precise evidence rule, before any state rule; another factory\'s evidence answers exactly as unknown evidence', async () => {
    const request = await aRequest('buyer1', 'F001', ['certificate']);
    const path = { requestId: request.requestId, itemId: request.items[0]!.itemId };
    const other = await anEvidence('factory2');
    const wrongType = await anEvidence('factory1', 'audit-report');
    const expired = await anEvidence('factory1', 'certificate', '2026-01-01T00:00:00.000Z');
    const fulfil = (body: { evidenceId: string; version?: number }) => refusal(() => requests.fulfilItem(ports, ctx('factory1'), input({ path, body })));
    const hidden = await fulfil({ evidenceId: other.evidenceId });
    const unknown = await fulfil({ evidenceId: 'evd_missing' });
    expect(hidden).toBeInstanceOf(HiddenValidationError);
    expect([hidden.code, hidden.message, hidden.outcome]).toEqual([unknown.code, unknown.message, 'DENIED']);
    expect((unknown as ValidationError).errors).toEqual([{ path: '/evidenceId', message: 'no such evidence in your library' }]);
    expect((await fulfil({ evidenceId: wrongType.evidenceId })).code).toBe('evidence-doctype-mismatch');
    expect((await fulfil({ evidenceId: expired.evidenceId, version: 9 })).code).toBe('version-not-found');
    expect((await fulfil({ evidenceId: expired.evidenceId })).code).toBe('version-expired');
  });

  it('refuses a fulfilled item and a closed request with their own codes', async () => {
    const request = await aRequest('buyer1', 'F001', ['certificate', 'certificate']);
    const evd = await anEvidence();
    const path = (i: number) => ({ requestId: request.requestId, itemId: request.items[i]!.itemId });
    await requests.fulfilItem(ports, ctx('factory1'), input({ path: path(0), body: { evidenceId: evd.evidenceId } }));
    const again = await refusal(() => requests.fulfilItem(ports, ctx('factory1'), input({ path: path(0), body: { evidenceId: evd.evidenceId } })));
    expect(again).toBeInstanceOf(ConflictError);
    expect(again.code).toBe('item-not-pending');
    await requests.cancelRequest(ports, ctx('buyer1'), input({ path: { requestId: request.requestId }, body: {} }));
    expect((await refusal(() => requests.fulfilItem(ports, ctx('factory1'), input({ path: path(1), body: { evidenceId: evd.evidenceId } })))).code).toBe('request-closed');
    expect((await refusal(() => requests.fulfilItem(ports, ctx('factory1'), input({ path: { ...path(1), itemId: 'itm_x' }, body: { evidenceId: evd.evidenceId } })))).code).toBe('item-not-found');
  });
});

describe('reviewItem and cancelRequest', () => {
  it('refuses to review an item that is not FULFILLED and to cancel a final request', async () => {
    const request = await aRequest();
    const path = { requestId: request.requestId, itemId: request.items[0]!.itemId };
    expect((await refusal(() => requests.reviewItem(ports, ctx('buyer1'), input({ path, body: { decision: 'ACCEPT' } })))).code).toBe('item-not-fulfilled');
    await requests.cancelRequest(ports, ctx('buyer1'), input({ path: { requestId: request.requestId }, body: { reason: 'r' } }));
    expect((await refusal(() => requests.cancelRequest(ports, ctx('buyer1'), input({ path: { requestId: request.requestId }, body: {} })))).code).toBe('request-not-cancellable');
    expect((await refusal(() => requests.cancelRequest(ports, ctx('buyer2'), input({ path: { requestId: request.requestId }, body: {} })))).outcome).toBe('DENIED');
  });
});

describe('evidence', () => {
  it('numbers versions contiguously and lets only the owning factory add them', async () => {
    const evd = await anEvidence();
    const add = (person: Person) => evidence.addEvidenceVersion(ports, ctx(person, 201, 'evidence.version.create', 'evidence'), input({ path: { evidenceId: evd.evidenceId }, body: {} }));
    const results = await Promise.all([add('factory1'), add('factory1'), add('factory1')]);
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4]);
    const hidden = await refusal(() => add('factory2'));
    expect([hidden.constructor, hidden.code]).toEqual([HiddenNotFoundError, 'evidence-not-found']);
  });

  it('shows a buyer only the versions shared with it', async () => {
    const evd = await anEvidence();
    await evidence.addEvidenceVersion(ports, ctx('factory1'), input({ path: { evidenceId: evd.evidenceId }, body: {} }));
    const request = await aRequest();
    await requests.fulfilItem(ports, ctx('factory1'), input({ path: { requestId: request.requestId, itemId: request.items[0]!.itemId }, body: { evidenceId: evd.evidenceId, version: 1 } }));
    const seen = await evidence.getEvidence(ports, ctx('buyer1'), input({ path: { evidenceId: evd.evidenceId } }));
    expect(seen.versions.map((v) => v.version)).toEqual([1]);
    expect(seen.latestVersion).toBe(1);
    expect(await refusal(() => evidence.getEvidence(ports, ctx('buyer2'), input({ path: { evidenceId: evd.evidenceId } })))).toBeInstanceOf(HiddenNotFoundError);
    expect((await evidence.listEvidence(ports, ctx('factory2'), input({ query: {} }))).items).toEqual([]);
  });
});

describe('listAudit', () => {
  it('refuses a range whose from is later than its to, naming both', async () => {
    const error = (await refusal(() => listAudit(ports, ctx('auditor1'), input({ query: { from: '2026-06-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' } })))) as ValidationError;
    expect(error.code).toBe('range-reversed');
    expect(error.errors.map((e) => e.path)).toEqual(['query.from', 'query.to']);
  });

  it('answers a window newest first', async () => {
    await aRequest();
    await aRequest();
    const page = await listAudit(ports, ctx('admin1'), input({ query: { limit: 1 } }));
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});

describe('getRequestHistory', () => {
  it('shows parties their two organisations\' events without network details, and auditors everything', async () => {
    const request = await aRequest();
    await ports.auditLog.record({
      eventId: 'evt_other', occurredAt: now().toISOString(), action: 'request.read', outcome: 'DENIED', statusCode: 404,
      actor: { userId: 'u-b2', role: 'buyer', orgId: 'B002' }, resource: { type: 'request', id: request.requestId }, correlationId: 'x', sourceIp: '198.51.100.1',
    });
    const party = await requests.getRequestHistory(ports, ctx('factory1'), input({ path: { requestId: request.requestId }, query: {} }));
    expect(party.items.map((e) => e.actor.orgId)).toEqual(['B001']);
    const auditor = await requests.getRequestHistory(ports, ctx('auditor1'), input({ path: { requestId: request.requestId }, query: {} }));
    expect(auditor.items.map((e) => e.eventId)).toContain('evt_other');
    expect(auditor.items.find((e) => e.eventId === 'evt_other')?.sourceIp).toBe('198.51.100.1');
  });
});
