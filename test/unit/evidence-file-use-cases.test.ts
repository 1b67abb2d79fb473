/**
 * The evidence-file use cases alone, on the in-memory ports: who may re-issue an upload
 * address or download a file (and what everyone else is answered), and the file verifier's
 * judgement of a stored object, with the audit event each judgement leaves.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../functions/core/audit-trail.js';
import type { AppError } from '../../functions/core/errors.js';
import type { Principal } from '../../functions/core/principal.js';
import type { UseCaseContext, UseCaseInput } from '../../functions/core/use-cases/context.js';
import * as evidence from '../../functions/core/use-cases/evidence.js';
import {
  downloadEvidenceFile,
  fileKeyOf,
  issueUploadUrl,
  newVersionFile,
  publicVersion,
  rejectInfectedObject,
  verifyStoredObject,
} from '../../functions/core/use-cases/evidence-files.js';
import * as requests from '../../functions/core/use-cases/requests.js';
import type { MeasuredObject } from '../../functions/core/evidence-files.js';
import { memoryPorts } from '../support/memory-ports.js';
import { PEOPLE, type Person } from '../support/principals.js';


const FILE = { fileName: 'iso.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) } as const;
const T0 = Date.parse('2027-01-01T00:00:00.000Z');

let ports: ReturnType<typeof memoryPorts>;
let clock: number;
let tagged: string[];
let objects: Map<string, MeasuredObject>;
beforeEach(() => {
  ports = memoryPorts();
  clock = T0;
  tagged = [];
  objects = new Map();
});

const now = () => new Date((clock += 1000));
const ctx = (person: Person, successStatus = 200): UseCaseContext & { audit: AuditTrail } => {
  const principal: Principal = PEOPLE[person];
  return { principal, now, audit: new AuditTrail({ action: 'evidence.read', resourceType: 'evidence', correlationId: `c-${person}`, successStatus }, principal, now) };
};
const input = <P, Q, B>(parts: { path?: P; query?: Q; body?: B }) => ({ path: parts.path, query: parts.query, body: parts.body }) as UseCaseInput<P, Q, B>;
const verifier = () => ({ evidence: ports.evidence, objects: { measure: async (key: string) => objects.get(key), tagRejected: async (key: string) => void tagged.push(key) }, now });

async function refusal(run: () => Promise<unknown>): Promise<{ type: string; code: string; outcome: string; message: string }> {
  try {
    await run();
  } catch (error) {
    const e = error as AppError;
    return { type: e.constructor.name, code: e.code, outcome: e.outcome, message: e.message };
  }
  throw new Error('expected a refusal');
}

/** Evidence of factory1 with version 1 (a file, PENDING_UPLOAD) and version 2 (no file). */
async function evidenceWithFile(factory: Person = 'factory1') {
  const created = await evidence.createEvidence(ports, ctx(factory, 201), input({ body: { name: 'n', docType: 'certificate', file: FILE } }));
  await evidence.addEvidenceVersion(ports, ctx(factory, 201), input({ path: { evidenceId: created.evidenceId }, body: {} }));
  return created.evidenceId;
}

async function keyOf(evidenceId: string, version = 1): Promise<string> {
  const stored = (await ports.evidence.get(evidenceId))!;
  const v = stored.versions.find((x) => x.version === version)!;
  return fileKeyOf(stored, { ...v, file: v.file! });
}

const fileStatus = async (evidenceId: string, version = 1) => (await ports.evidence.get(evidenceId))!.versions.find((v) => v.version === version)!.file?.status;
const verifyEvents = () => [...ports.store.audit.values()].filter((e) => e.action === 'evidence.file.verify');

async function markAvailable(evidenceId: string) {
  const key = await keyOf(evidenceId);
  objects.set(key, { size: FILE.size, sha256: FILE.sha256 });
  expect(await verifyStoredObject(verifier(), key, 'c-verify')).toEqual({ outcome: 'marked', verdict: { status: 'AVAILABLE' } });
}

/** Shares version 1 of the evidence with buyer1 by a fulfilment. */
async function shareWithBuyer1(evidenceId: string) {
  const request = await requests.createRequest(ports, ctx('buyer1', 201), input({ body: { factoryId: 'F001', title: 't', items: [{ docType: 'certificate' }] } }));
  await requests.fulfilItem(ports, ctx('factory1'), input({ path: { requestId: request.requestId, itemId: request.items[0]!.itemId }, body: { evidenceId, version: 1 } }));
}

describe('issueUploadUrl', () => {
  const issue = (person: Person, evidenceId: string, version = 1) => issueUploadUrl(ports, ctx(person), input({ path: { evidenceId, version }, body: {} }));

  it('answers the owning factory a new PUT address for the same key while the file is PENDING_UPLOAD', async () => {
    const evidenceId = await evidenceWithFile();
    const answer = await issue('factory1', evidenceId);
    expect(answer.uploadUrl).toBe(`https://uploads.example.test/${await keyOf(evidenceId)}`);
    expect(Date.parse(answer.expiresAt)).toBeGreaterThan(Date.now());
    expect(answer.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('refuses everyone and everything else with its own answer', async () => {
    const evidenceId = await evidenceWithFile();
    expect(await refusal(() => issue('buyer1', evidenceId))).toMatchObject({ type: 'ForbiddenError', code: 'role-forbidden', outcome: 'DENIED' });
    expect(await refusal(() => issue('factory1', 'evd_unknown'))).toEqual({ type: 'NotFoundError', code: 'evidence-not-found', outcome: 'FAILED', message: 'No such evidence' });
    expect(await refusal(() => issue('factory2', evidenceId))).toEqual({ type: 'HiddenNotFoundError', code: 'evidence-not-found', outcome: 'DENIED', message: 'No such evidence' });
    expect(await refusal(() => issue('factory1', evidenceId, 9))).toEqual({ type: 'NotFoundError', code: 'version-not-found', outcome: 'FAILED', message: 'The evidence has no version 9' });
    expect(await refusal(() => issue('factory1', evidenceId, 2))).toEqual({
      type: 'ConflictError',
      code: 'file-not-found',
      outcome: 'FAILED',
      message: 'Version 2 carries no file; add a version with a file instead',
    });
    await markAvailable(evidenceId);
    expect(await refusal(() => issue('factory1', evidenceId))).toEqual({ type: 'ConflictError', code: 'file-not-pending', outcome: 'FAILED', message: 'The file of version 1 is AVAILABLE, not PENDING_UPLOAD' });
  });
});

describe('downloadEvidenceFile', () => {
  const download = (person: Person, evidenceId: string, version = 1) => downloadEvidenceFile(ports, ctx(person), input({ path: { evidenceId, version } }));

  it('answers the owning factory, auditors, admins and a buyer the version was shared with', async () => {
    const evidenceId = await evidenceWithFile();
    await markAvailable(evidenceId);
    await shareWithBuyer1(evidenceId);
    const key = await keyOf(evidenceId);
    for (const person of ['factory1', 'auditor1', 'admin1', 'buyer1'] as const) {
      const answer = await download(person, evidenceId);
      expect({ ...answer, expiresAt: undefined }, person).toEqual({ downloadUrl: `https://downloads.example.test/${key}`, expiresAt: undefined, ...FILE });
      expect(answer.expiresAt).toMatch(/Z$/);
    }
  });

  it('hides the file from other tenants and from a buyer shared another version', async () => {
    const evidenceId = await evidenceWithFile();
    await markAvailable(evidenceId);
    const hidden = { type: 'HiddenNotFoundError', code: 'evidence-not-found', outcome: 'DENIED', message: 'No such evidence' };
    expect(await refusal(() => download('buyer1', evidenceId))).toEqual(hidden);
    expect(await refusal(() => download('factory2', evidenceId))).toEqual(hidden);
    await shareWithBuyer1(evidenceId);
    expect(await refusal(() => download('buyer2', evidenceId))).toEqual(hidden);
    expect(await refusal(() => download('buyer1', evidenceId, 2))).toEqual(hidden);
    expect(await refusal(() => download('factory1', 'evd_unknown'))).toEqual({ type: 'NotFoundError', code: 'evidence-not-found', outcome: 'FAILED', message: 'No such evidence' });
  });

  it('answers 404 for a version without a file and 409 for a file not AVAILABLE', async () => {
    const evidenceId = await evidenceWithFile();
    expect(await refusal(() => download('factory1', evidenceId, 2))).toEqual({ type: 'NotFoundError', code: 'file-not-found', outcome: 'FAILED', message: 'Version 2 carries no file' });
    expect(await refusal(() => download('factory1', evidenceId, 7))).toMatchObject({ code: 'version-not-found' });
    expect(await refusal(() => download('auditor1', evidenceId))).toEqual({ type: 'ConflictError', code: 'file-not-available', outcome: 'FAILED', message: 'The file of version 1 is PENDING_UPLOAD, not AVAILABLE' });
  });
});

describe('verifyStoredObject', () => {
  it('marks a matching object AVAILABLE with one SUCCESS event, and leaves it untagged', async () => {
    const evidenceId = await evidenceWithFile();
    await markAvailable(evidenceId);
    expect(await fileStatus(evidenceId)).toBe('AVAILABLE');
    expect(tagged).toEqual([]);
    const [event] = verifyEvents();
    expect(event).toMatchObject({
      action: 'evidence.file.verify',
      outcome: 'SUCCESS',
      statusCode: 200,
      correlationId: 'c-verify',
      resource: { type: 'evidence', id: evidenceId },
      changes: { version: 1, status: { from: 'PENDING_UPLOAD', to: 'AVAILABLE' }, size: FILE.size, sha256: FILE.sha256 },
    });
    expect(event!.reason).toBeUndefined();
    expect(Object.keys(event!.changes!)).not.toContain('reason');
    // A redelivery changes nothing.
    expect(await verifyStoredObject(verifier(), await keyOf(evidenceId), 'c-again')).toEqual({ outcome: 'already', status: 'AVAILABLE' });
    expect(verifyEvents()).toHaveLength(1);
    expect(tagged).toEqual([]);
  });

  it.each([
    ['size-mismatch', { size: 11, sha256: FILE.sha256 }],
    ['sha256-mismatch', { size: 10, sha256: 'b'.repeat(64) }],
  ] as const)('rejects an object with a %s, tags it and records a FAILED event', async (reason, measured) => {
    const evidenceId = await evidenceWithFile();
    const key = await keyOf(evidenceId);
    objects.set(key, measured);
    expect(await verifyStoredObject(verifier(), key, 'c-verify')).toEqual({ outcome: 'marked', verdict: { status: 'REJECTED', reason } });
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    expect(tagged).toEqual([key]);
    expect(verifyEvents()).toMatchObject([{ outcome: 'FAILED', statusCode: 422, reason, changes: { version: 1, status: { from: 'PENDING_UPLOAD', to: 'REJECTED' }, reason, ...measured } }]);
    // Settled: a redelivery tags it again and writes nothing.
    expect(await verifyStoredObject(verifier(), key, 'c-again')).toEqual({ outcome: 'already', status: 'REJECTED' });
    expect(tagged).toEqual([key, key]);
    expect(verifyEvents()).toHaveLength(1);
  });

  it('tags a key the server never handed out as stray, and waits for an object that is not there yet', async () => {
    const evidenceId = await evidenceWithFile();
    const key = await keyOf(evidenceId);
    const strays = ['not/an/evidence/key', key.replace('/F001/', '/F002/'), key.replace(/fil_[a-z2-7]+$/, `fil_${'a'.repeat(26)}`), key.replace('/v1/', '/v2/'), key.replace(evidenceId, 'evd_01M8T2KA7QHSCD8K5SDAR5Y8EJ')];
    for (const stray of strays) expect(await verifyStoredObject(verifier(), stray, 'c'), stray).toEqual({ outcome: 'stray' });
    expect(tagged).toEqual(strays);
    expect(await verifyStoredObject(verifier(), key, 'c')).toEqual({ outcome: 'missing' });
    expect(await fileStatus(evidenceId)).toBe('PENDING_UPLOAD');
    expect(verifyEvents()).toEqual([]);
  });

  it('settles a lost race as the winner left it, and rethrows other failures', async () => {
    const evidenceId = await evidenceWithFile();
    const key = await keyOf(evidenceId);
    objects.set(key, { size: FILE.size, sha256: FILE.sha256 });
    const racing = { ...verifier(), evidence: Object.create(ports.evidence, {
      setFileStatus: { value: async (change: Parameters<typeof ports.evidence.setFileStatus>[0], event: Parameters<typeof ports.evidence.setFileStatus>[1]) => {
        await ports.evidence.setFileStatus(change, event); // the other delivery wins
        return ports.evidence.setFileStatus(change, event); // and this one loses
      } },
    }) };
    expect(await verifyStoredObject(racing, key, 'c')).toEqual({ outcome: 'already', status: 'AVAILABLE' });
    const failing = { ...verifier(), evidence: Object.create(ports.evidence, { setFileStatus: { value: async () => { throw new Error('store down'); } } }) };
    const other = await evidenceWithFile();
    objects.set(await keyOf(other), { size: FILE.size, sha256: FILE.sha256 });
    await expect(verifyStoredObject(failing, await keyOf(other), 'c')).rejects.toThrow('store down');
  });
});

describe('rejectInfectedObject', () => {
  it('rejects an AVAILABLE file as malware, tags it, and stays idempotent', async () => {
    const evidenceId = await evidenceWithFile();
    await markAvailable(evidenceId);
    const key = await keyOf(evidenceId);
    expect(await rejectInfectedObject(verifier(), key, 'c-malware')).toEqual({ outcome: 'marked', verdict: { status: 'REJECTED', reason: 'malware' } });
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    expect(verifyEvents().at(-1)).toMatchObject({ outcome: 'FAILED', statusCode: 422, reason: 'malware', correlationId: 'c-malware', changes: { version: 1, status: { from: 'AVAILABLE', to: 'REJECTED' }, reason: 'malware' } });
    expect(Object.keys(verifyEvents().at(-1)!.changes!).sort()).toEqual(['reason', 'status', 'version']);
    expect(await rejectInfectedObject(verifier(), key, 'c-again')).toEqual({ outcome: 'marked', verdict: { status: 'REJECTED', reason: 'malware' } });
    expect(verifyEvents()).toHaveLength(2);
    expect(tagged).toEqual([key, key]);
  });

  it('rejects a file still PENDING_UPLOAD, and tags a stray key', async () => {
    const evidenceId = await evidenceWithFile();
    const key = await keyOf(evidenceId);
    expect(await rejectInfectedObject(verifier(), key, 'c')).toMatchObject({ outcome: 'marked' });
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    expect(await rejectInfectedObject(verifier(), 'evidence/nowhere', 'c')).toEqual({ outcome: 'stray' });
    expect(tagged).toEqual([key, 'evidence/nowhere']);
  });

  it('accepts a race lost to another rejection, and rethrows any other failure', async () => {
    const evidenceId = await evidenceWithFile();
    const key = await keyOf(evidenceId);
    const racing = { ...verifier(), evidence: Object.create(ports.evidence, {
      setFileStatus: { value: async (change: Parameters<typeof ports.evidence.setFileStatus>[0], event: Parameters<typeof ports.evidence.setFileStatus>[1]) => {
        await ports.evidence.setFileStatus(change, event);
        return ports.evidence.setFileStatus(change, event);
      } },
    }) };
    expect(await rejectInfectedObject(racing, key, 'c')).toMatchObject({ outcome: 'marked' });
    const other = await evidenceWithFile();
    const failing = { ...verifier(), evidence: Object.create(ports.evidence, { setFileStatus: { value: async () => { throw new Error('store down'); } } }) };
    await expect(rejectInfectedObject(failing, await keyOf(other), 'c')).rejects.toThrow('store down');
  });
});

describe('file helpers', () => {
  it('starts a declared file PENDING_UPLOAD under a fresh id, and hides the id from clients', () => {
    const a = newVersionFile(FILE);
    const b = newVersionFile(FILE);
    expect(a).toMatchObject({ ...FILE, status: 'PENDING_UPLOAD' });
    expect(a.fileId).not.toBe(b.fileId);
    const version = { version: 1, createdAt: 'x', createdBy: 'u', file: a };
    expect(publicVersion(version)).toEqual({ version: 1, createdAt: 'x', createdBy: 'u', file: { ...FILE, status: 'PENDING_UPLOAD' } });
    const bare = { version: 2, createdAt: 'x', createdBy: 'u' };
    expect(publicVersion(bare)).toBe(bare);
  });
});
