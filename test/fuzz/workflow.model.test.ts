/**
 * Stateful, model-based fuzzing of the request workflow (fast-check `fc.commands`): random
 * sequences of valid calls (create a request, create evidence, add a version, upload its
 * file so the verifier makes it AVAILABLE, fulfil, review, cancel; with Idempotency-Keys and
 * their replays) interleaved with hostile ones (another tenant's ids, the wrong role, bad
 * bodies). A model written from API.md predicts every answer; after each step the touched
 * objects are read back and compared with the model. It runs on the real handlers behind the
 * local HTTP adapter, DynamoDB Local and the local S3 store with the production file verifier.
 * The status distribution per route is printed, and at least a third of the writes succeed,
 * so the transactions behind them are really exercised.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUsername } from '../../local/demo-users.js';
import { startTestApi, type Answer, type TestApi } from '../support/api.js';
import { declaredFile, putToUploadUrl, startLocalEvidenceStore, type LocalEvidenceStore } from '../support/evidence-files.js';

const SEED = 20_261_202;
const RUNS = 40;
const MAX_COMMANDS = 40;

let api: TestApi;
let store: LocalEvidenceStore;
beforeAll(async () => {
  store = await startLocalEvidenceStore();
  api = await startTestApi({ fileUrls: store.fileUrls() });
  store.connectVerifier(api.table);
});
afterAll(async () => {
  await api?.stop();
  await store?.stop();
});

// ---- the model, from API.md ("Requests", "Evidence", "Evidence files", "Idempotency") ----

type Tenant = 1 | 2;
const DOC_TYPES = ['certificate', 'audit-report'] as const;
type DocType = (typeof DOC_TYPES)[number];
type ItemStatus = 'PENDING' | 'FULFILLED' | 'ACCEPTED' | 'REJECTED';
type RequestStatus = 'OPEN' | 'IN_PROGRESS' | 'FULFILLED' | 'COMPLETED' | 'CANCELLED';

interface ModelItem {
  readonly itemId: string;
  readonly docType: DocType;
  status: ItemStatus;
  evidenceId?: string;
  evidenceVersion?: number;
}
interface ModelRequest {
  readonly requestId: string;
  readonly buyer: Tenant;
  readonly factory: Tenant;
  status: RequestStatus;
  readonly items: ModelItem[];
}
interface ModelVersion {
  readonly version: number;
  file: 'none' | 'PENDING_UPLOAD' | 'AVAILABLE';
  readonly bytes?: Buffer;
  readonly uploadUrl?: string;
  readonly expired: boolean;
}
interface ModelEvidence {
  readonly evidenceId: string;
  readonly factory: Tenant;
  readonly docType: DocType;
  readonly versions: ModelVersion[];
  /** Buyer orgs a fulfilment shared a version with (shares are never withdrawn). */
  readonly sharedWith: Set<Tenant>;
}
/** A POST sent with an Idempotency-Key, and its first answer. */
interface KeyedCall {
  readonly user: DemoUsername;
  readonly path: string;
  readonly route: string;
  readonly body: Record<string, unknown>;
  readonly key: string;
  readonly status: number;
  readonly answer: unknown;
}
interface Model {
  readonly requests: ModelRequest[];
  readonly evidence: ModelEvidence[];
  readonly keyed: KeyedCall[];
}
interface Real {
  readonly api: TestApi;
}

const BUYER = { 1: 'buyer1', 2: 'buyer2' } as const satisfies Record<Tenant, DemoUsername>;
const FACTORY = { 1: 'factory1', 2: 'factory2' } as const satisfies Record<Tenant, DemoUsername>;
const FACTORY_ID: Record<Tenant, string> = { 1: 'F001', 2: 'F002' };
const otherOf = (tenant: Tenant): Tenant => (tenant === 1 ? 2 : 1);
const FINAL: readonly RequestStatus[] = ['CANCELLED', 'COMPLETED'];

/** API.md: OPEN every item PENDING; COMPLETED every item ACCEPTED; FULFILLED every item FULFILLED or ACCEPTED; else IN_PROGRESS. */
function statusOf(items: readonly ModelItem[]): RequestStatus {
  if (items.every((i) => i.status === 'PENDING')) return 'OPEN';
  if (items.every((i) => i.status === 'ACCEPTED')) return 'COMPLETED';
  if (items.every((i) => i.status === 'FULFILLED' || i.status === 'ACCEPTED')) return 'FULFILLED';
  return 'IN_PROGRESS';
}

const latestOf = (evidence: ModelEvidence) => evidence.versions.length;

// ---- calls, counted per route ----------------------------------------------------------

const distribution = new Map<string, Map<number, number>>();
const writes = { total: 0, succeeded: 0 };

async function send(route: string, method: 'GET' | 'POST', path: string, as: DemoUsername, body?: unknown, key?: string): Promise<Answer> {
  const answer = await api.call(method, path, { as, ...(body !== undefined && { body }), ...(key && { headers: { 'Idempotency-Key': key } }) });
  const counts = distribution.get(`${method} ${route}`) ?? new Map<number, number>();
  counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  distribution.set(`${method} ${route}`, counts);
  if (method === 'POST') {
    writes.total += 1;
    if (answer.status < 300) writes.succeeded += 1;
  }
  expect(answer.status, `${method} ${path} as ${as}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
  return answer;
}

/** Sends a POST, with an Idempotency-Key when `keyed`, and remembers the keyed call for its replays. */
async function post(model: Model, route: string, path: string, as: DemoUsername, body: Record<string, unknown>, keyed: boolean): Promise<Answer> {
  const key = keyed ? randomUUID() : undefined;
  const answer = await send(route, 'POST', path, as, body, key);
  if (key) model.keyed.push({ user: as, path, route, body, key, status: answer.status, answer: answer.body });
  return answer;
}

function expectStatus(answer: Answer, status: number, what: string): void {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(status);
}

// ---- checks of the model against the API ------------------------------------------------

async function checkRequest(request: ModelRequest): Promise<void> {
  const read = await send('/v1/requests/{requestId}', 'GET', `/v1/requests/${request.requestId}`, BUYER[request.buyer]);
  expectStatus(read, 200, `read ${request.requestId}`);
  expect(read.body.status, `status of ${request.requestId}`).toBe(request.status);
  expect(
    read.body.items.map((i: ModelItem) => ({ itemId: i.itemId, status: i.status, evidenceId: i.evidenceId, evidenceVersion: i.evidenceVersion })),
  ).toEqual(request.items.map((i) => ({ itemId: i.itemId, status: i.status, evidenceId: i.evidenceId, evidenceVersion: i.evidenceVersion })));
}

async function checkEvidence(evidence: ModelEvidence): Promise<void> {
  const read = await send('/v1/evidence/{evidenceId}', 'GET', `/v1/evidence/${evidence.evidenceId}`, FACTORY[evidence.factory]);
  expectStatus(read, 200, `read ${evidence.evidenceId}`);
  expect(read.body.latestVersion).toBe(latestOf(evidence));
  expect(read.body.versions.map((v: { version: number; file?: { status: string } }) => ({ version: v.version, file: v.file?.status ?? 'none' }))).toEqual(
    evidence.versions.map((v) => ({ version: v.version, file: v.file })),
  );
}

// ---- valid commands ---------------------------------------------------------------------

type Command = fc.AsyncCommand<Model, Real>;
const pickFrom = <T>(list: readonly T[], pick: number): T => list[pick % list.length]!;

class CreateRequest implements Command {
  constructor(readonly buyer: Tenant, readonly factory: Tenant, readonly docTypes: readonly DocType[], readonly keyed: boolean) {}
  check = () => true;
  async run(model: Model): Promise<void> {
    const body = { factoryId: FACTORY_ID[this.factory], title: 'model', items: this.docTypes.map((docType) => ({ docType })) };
    const answer = await post(model, '/v1/requests', '/v1/requests', BUYER[this.buyer], body, this.keyed);
    expectStatus(answer, 201, 'create request');
    const request: ModelRequest = {
      requestId: answer.body.requestId,
      buyer: this.buyer,
      factory: this.factory,
      status: 'OPEN',
      items: answer.body.items.map((i: { itemId: string }, n: number) => ({ itemId: i.itemId, docType: this.docTypes[n]!, status: 'PENDING' })),
    };
    model.requests.push(request);
    await checkRequest(request);
  }
  toString = () => `createRequest(B${this.buyer}->F${this.factory}, ${this.docTypes.join('+')}${this.keyed ? ', keyed' : ''})`;
}

let fileCounter = 0;
const freshFile = () => Buffer.from(`%PDF-1.7\nmodel ${(fileCounter += 1)} ${randomUUID()}\n%%EOF\n`);

class CreateEvidence implements Command {
  constructor(readonly factory: Tenant, readonly docType: DocType, readonly withFile: boolean, readonly expired: boolean, readonly keyed: boolean) {}
  check = () => true;
  async run(model: Model): Promise<void> {
    const bytes = this.withFile ? freshFile() : undefined;
    const body = {
      name: 'model',
      docType: this.docType,
      ...(this.expired && { expiresAt: '2020-01-01T00:00:00Z' }),
      ...(bytes && { file: declaredFile(bytes) }),
    };
    const answer = await post(model, '/v1/evidence', '/v1/evidence', FACTORY[this.factory], body, this.keyed);
    expectStatus(answer, 201, 'create evidence');
    expect(answer.body.latestVersion).toBe(1);
    const evidence: ModelEvidence = {
      evidenceId: answer.body.evidenceId,
      factory: this.factory,
      docType: this.docType,
      versions: [{ version: 1, file: bytes ? 'PENDING_UPLOAD' : 'none', ...(bytes && { bytes, uploadUrl: answer.body.uploadUrl }), expired: this.expired }],
      sharedWith: new Set(),
    };
    model.evidence.push(evidence);
    await checkEvidence(evidence);
  }
  toString = () => `createEvidence(F${this.factory}, ${this.docType}${this.withFile ? ', file' : ''}${this.expired ? ', expired' : ''}${this.keyed ? ', keyed' : ''})`;
}

class AddVersion implements Command {
  constructor(readonly pick: number, readonly withFile: boolean, readonly keyed: boolean) {}
  check = (model: Readonly<Model>) => model.evidence.length > 0;
  async run(model: Model): Promise<void> {
    const evidence = pickFrom(model.evidence, this.pick);
    const bytes = this.withFile ? freshFile() : undefined;
    const body = bytes ? { file: declaredFile(bytes) } : { notes: 'model' };
    const path = `/v1/evidence/${evidence.evidenceId}/versions`;
    const answer = await post(model, '/v1/evidence/{evidenceId}/versions', path, FACTORY[evidence.factory], body, this.keyed);
    expectStatus(answer, 201, 'add version');
    expect(answer.body.version).toBe(latestOf(evidence) + 1);
    evidence.versions.push({ version: answer.body.version, file: bytes ? 'PENDING_UPLOAD' : 'none', ...(bytes && { bytes, uploadUrl: answer.body.uploadUrl }), expired: false });
    await checkEvidence(evidence);
  }
  toString = () => `addVersion(#${this.pick}${this.withFile ? ', file' : ''}${this.keyed ? ', keyed' : ''})`;
}

const pendingFiles = (model: Readonly<Model>) =>
  model.evidence.flatMap((evidence) => evidence.versions.filter((v) => v.file === 'PENDING_UPLOAD').map((version) => ({ evidence, version })));

/** The client's PUT to the presigned URL; the verifier then marks the file AVAILABLE. */
class Upload implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => pendingFiles(model).length > 0;
  async run(model: Model): Promise<void> {
    const { evidence, version } = pickFrom(pendingFiles(model), this.pick);
    const put = await putToUploadUrl(version.uploadUrl!, version.bytes!);
    expect(put.status).toBe(200);
    await store.events.idle();
    version.file = 'AVAILABLE';
    await checkEvidence(evidence);
  }
  toString = () => `upload(#${this.pick})`;
}

const allItems = (model: Readonly<Model>) => model.requests.flatMap((request) => request.items.map((item) => ({ request, item })));

const isUsable = (version: ModelVersion) => !version.expired && version.file !== 'PENDING_UPLOAD';

/** What API.md says a fulfilment answers: evidence checks (400) before state checks (409). */
function fulfilAnswer(request: ModelRequest, item: ModelItem, evidence: ModelEvidence | undefined, versionNumber: number | undefined): number {
  if (!evidence || evidence.factory !== request.factory) return 400;
  if (evidence.docType !== item.docType) return 400;
  const version = evidence.versions.find((v) => v.version === (versionNumber ?? latestOf(evidence)));
  if (!version || !isUsable(version)) return 400;
  if (FINAL.includes(request.status)) return 409;
  if (item.status !== 'PENDING' && item.status !== 'REJECTED') return 409;
  return 200;
}

class Fulfil implements Command {
  /** `version`: 0 omits it (latest), else a version number that may not exist. */
  constructor(readonly pickItem: number, readonly pickEvidence: number, readonly version: number, readonly keyed: boolean) {}
  check = (model: Readonly<Model>) => model.requests.length > 0 && model.evidence.length > 0;
  async run(model: Model): Promise<void> {
    // Mostly an item that can be fulfilled, with usable evidence of the addressed factory and the item's docType;
    // otherwise any item with any of the factory's evidence (expected to fail as the model says).
    const usableFor = (request: ModelRequest, item: ModelItem) =>
      model.evidence.filter((e) => e.factory === request.factory && e.docType === item.docType && isUsable(e.versions[latestOf(e) - 1]!));
    const ready = allItems(model).filter(
      ({ request, item }) => !FINAL.includes(request.status) && (item.status === 'PENDING' || item.status === 'REJECTED') && usableFor(request, item).length > 0,
    );
    const valid = ready.length > 0 && this.pickItem % 4 !== 0;
    const { request, item } = pickFrom(valid ? ready : allItems(model), this.pickItem);
    const own = model.evidence.filter((e) => e.factory === request.factory);
    const evidence = valid ? pickFrom(usableFor(request, item), this.pickEvidence) : own.length > 0 ? pickFrom(own, this.pickEvidence) : undefined;
    const body = { evidenceId: evidence?.evidenceId ?? 'evd_00000000000000000000000000', ...(this.version > 0 && { version: this.version }) };
    const want = fulfilAnswer(request, item, evidence, this.version > 0 ? this.version : undefined);
    const path = `/v1/requests/${request.requestId}/items/${item.itemId}/fulfill`;
    const answer = await post(model, '/v1/requests/{requestId}/items/{itemId}/fulfill', path, FACTORY[request.factory], body, this.keyed);
    expectStatus(answer, want, `fulfil ${item.status} item of a ${request.status} request`);
    if (want === 200) {
      item.status = 'FULFILLED';
      item.evidenceId = evidence!.evidenceId;
      item.evidenceVersion = this.version > 0 ? this.version : latestOf(evidence!);
      request.status = statusOf(request.items);
      evidence!.sharedWith.add(request.buyer);
      // The fulfilment shares the version with the buyer org.
      const shared = await send('/v1/evidence/{evidenceId}', 'GET', `/v1/evidence/${evidence!.evidenceId}`, BUYER[request.buyer]);
      expectStatus(shared, 200, 'buyer reads the shared evidence');
      expect(shared.body.versions.map((v: { version: number }) => v.version)).toContain(item.evidenceVersion);
    }
    await checkRequest(request);
  }
  toString = () => `fulfil(item #${this.pickItem}, evidence #${this.pickEvidence}, v${this.version || 'latest'}${this.keyed ? ', keyed' : ''})`;
}

class Review implements Command {
  constructor(readonly pickItem: number, readonly decision: 'ACCEPT' | 'REJECT', readonly keyed: boolean) {}
  /** Once something was fulfilled: mostly that item, sometimes any (answering 409). */
  check = (model: Readonly<Model>) => model.requests.some((r) => r.items.some((i) => i.status === 'FULFILLED'));
  async run(model: Model): Promise<void> {
    const fulfilled = allItems(model).filter(({ request, item }) => !FINAL.includes(request.status) && item.status === 'FULFILLED');
    const { request, item } = pickFrom(fulfilled.length > 0 && this.pickItem % 4 !== 0 ? fulfilled : allItems(model), this.pickItem);
    const want = FINAL.includes(request.status) || item.status !== 'FULFILLED' ? 409 : 200;
    const path = `/v1/requests/${request.requestId}/items/${item.itemId}/review`;
    const answer = await post(model, '/v1/requests/{requestId}/items/{itemId}/review', path, BUYER[request.buyer], { decision: this.decision }, this.keyed);
    expectStatus(answer, want, `review ${item.status} item of a ${request.status} request`);
    if (want === 200) {
      item.status = this.decision === 'ACCEPT' ? 'ACCEPTED' : 'REJECTED';
      request.status = statusOf(request.items);
    }
    await checkRequest(request);
  }
  toString = () => `review(item #${this.pickItem}, ${this.decision}${this.keyed ? ', keyed' : ''})`;
}

class Cancel implements Command {
  constructor(readonly pick: number, readonly keyed: boolean) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model): Promise<void> {
    const request = pickFrom(model.requests, this.pick);
    const want = request.status === 'OPEN' || request.status === 'IN_PROGRESS' ? 200 : 409;
    const answer = await post(model, '/v1/requests/{requestId}/cancel', `/v1/requests/${request.requestId}/cancel`, BUYER[request.buyer], { reason: 'model' }, this.keyed);
    expectStatus(answer, want, `cancel a ${request.status} request`);
    if (want === 200) request.status = 'CANCELLED';
    await checkRequest(request);
  }
  toString = () => `cancel(#${this.pick}${this.keyed ? ', keyed' : ''})`;
}

/** A body as valid as `body` for the same endpoint, with another value. */
function anotherBody(body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.decision === 'string') return { ...body, decision: body.decision === 'ACCEPT' ? 'REJECT' : 'ACCEPT' };
  if (typeof body.evidenceId === 'string') return { ...body, version: typeof body.version === 'number' ? body.version + 1 : 1 };
  for (const field of ['title', 'name', 'reason', 'notes'] as const) {
    if (typeof body[field] === 'string') return { ...body, [field]: `${body[field]} again` };
  }
  return { ...body, notes: 'another body' };
}

/** A keyed POST again: the same body answers the first answer and changes nothing; another body answers 422. */
class Replay implements Command {
  constructor(readonly pick: number, readonly sameBody: boolean) {}
  check = (model: Readonly<Model>) => model.keyed.length > 0;
  async run(model: Model): Promise<void> {
    const first = pickFrom(model.keyed, this.pick);
    // Key order does not matter: the replay sends the fields reversed.
    const body = this.sameBody ? Object.fromEntries(Object.entries(first.body).reverse()) : anotherBody(first.body);
    const answer = await send(first.route, 'POST', first.path, first.user, body, first.key);
    if (this.sameBody) {
      expect(answer.status).toBe(first.status);
      const withoutCorrelation = (value: unknown) => (typeof value === 'object' && value !== null && 'correlationId' in value ? { ...value, correlationId: undefined } : value);
      expect(withoutCorrelation(answer.body)).toEqual(withoutCorrelation(first.answer));
    } else {
      expect(answer.status).toBe(422);
    }
    for (const request of model.requests.filter((r) => first.path.includes(r.requestId))) await checkRequest(request);
    for (const evidence of model.evidence.filter((e) => first.path.includes(e.evidenceId))) await checkEvidence(evidence);
  }
  toString = () => `replay(#${this.pick}, ${this.sameBody ? 'same body' : 'another body'})`;
}

// ---- hostile commands -------------------------------------------------------------------

/** The other tenant's buyer or factory acts on a request: 404, as if it did not exist. */
class OtherTenantOnRequest implements Command {
  constructor(readonly pick: number, readonly action: 'read' | 'fulfil' | 'review' | 'cancel' | 'history') {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model): Promise<void> {
    const request = pickFrom(model.requests, this.pick);
    const item = request.items[0]!;
    const buyer = BUYER[otherOf(request.buyer)];
    const factory = FACTORY[otherOf(request.factory)];
    const base = `/v1/requests/${request.requestId}`;
    const answer =
      this.action === 'read' ? await send('/v1/requests/{requestId}', 'GET', base, buyer)
      : this.action === 'history' ? await send('/v1/requests/{requestId}/history', 'GET', `${base}/history`, factory)
      : this.action === 'fulfil' ? await send('/v1/requests/{requestId}/items/{itemId}/fulfill', 'POST', `${base}/items/${item.itemId}/fulfill`, factory, { evidenceId: model.evidence[0]?.evidenceId ?? 'evd_x' })
      : this.action === 'review' ? await send('/v1/requests/{requestId}/items/{itemId}/review', 'POST', `${base}/items/${item.itemId}/review`, buyer, { decision: 'ACCEPT' })
      : await send('/v1/requests/{requestId}/cancel', 'POST', `${base}/cancel`, buyer, {});
    expectStatus(answer, 404, `${this.action} by the other tenant`);
    await checkRequest(request);
  }
  toString = () => `otherTenant(${this.action} request #${this.pick})`;
}

/** The addressed factory fulfils with another factory's evidence: 400, like unknown evidence. */
class ForeignEvidence implements Command {
  constructor(readonly pickItem: number, readonly pickEvidence: number) {}
  check = (model: Readonly<Model>) => model.requests.length > 0 && model.evidence.length > 0;
  async run(model: Model): Promise<void> {
    const { request, item } = pickFrom(allItems(model), this.pickItem);
    const foreign = model.evidence.filter((e) => e.factory !== request.factory);
    if (foreign.length === 0) return;
    const evidence = pickFrom(foreign, this.pickEvidence);
    const path = `/v1/requests/${request.requestId}/items/${item.itemId}/fulfill`;
    const answer = await send('/v1/requests/{requestId}/items/{itemId}/fulfill', 'POST', path, FACTORY[request.factory], { evidenceId: evidence.evidenceId });
    expectStatus(answer, 400, "fulfil with another factory's evidence");
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(['/evidenceId']);
    await checkRequest(request);
  }
  toString = () => `foreignEvidence(item #${this.pickItem}, evidence #${this.pickEvidence})`;
}

/** Another factory adds a version, or a buyer without a share reads the evidence: 404. */
class OtherTenantOnEvidence implements Command {
  constructor(readonly pick: number, readonly action: 'add-version' | 'read') {}
  check = (model: Readonly<Model>) => model.evidence.length > 0;
  async run(model: Model): Promise<void> {
    const evidence = pickFrom(model.evidence, this.pick);
    const path = `/v1/evidence/${evidence.evidenceId}`;
    if (this.action === 'add-version') {
      expectStatus(await send('/v1/evidence/{evidenceId}/versions', 'POST', `${path}/versions`, FACTORY[otherOf(evidence.factory)], {}), 404, 'add version by another factory');
    } else {
      // A buyer org no fulfilment shared this evidence with.
      const stranger = ([1, 2] as const).find((t) => !evidence.sharedWith.has(t));
      if (stranger === undefined) return;
      expectStatus(await send('/v1/evidence/{evidenceId}', 'GET', path, BUYER[stranger]), 404, 'read by a buyer without a share');
    }
    await checkEvidence(evidence);
  }
  toString = () => `otherTenant(${this.action} evidence #${this.pick})`;
}

const WRONG_ROLE = {
  createRequest: { users: ['factory1', 'auditor1', 'admin1'], route: '/v1/requests' },
  createEvidence: { users: ['buyer1', 'auditor1', 'admin1'], route: '/v1/evidence' },
  fulfil: { users: ['buyer1', 'buyer2', 'auditor1', 'admin1'], route: '/v1/requests/{requestId}/items/{itemId}/fulfill' },
  review: { users: ['factory1', 'factory2', 'auditor1', 'admin1'], route: '/v1/requests/{requestId}/items/{itemId}/review' },
  cancel: { users: ['factory1', 'factory2', 'auditor1', 'admin1'], route: '/v1/requests/{requestId}/cancel' },
  addVersion: { users: ['buyer1', 'buyer2', 'auditor1', 'admin1'], route: '/v1/evidence/{evidenceId}/versions' },
} as const satisfies Record<string, { users: readonly DemoUsername[]; route: string }>;
type WrongRoleAction = keyof typeof WRONG_ROLE;

/** A role that may never do this: 403, whatever the object. */
class WrongRole implements Command {
  constructor(readonly action: WrongRoleAction, readonly pickUser: number, readonly pick: number) {}
  check = (model: Readonly<Model>) =>
    ['createRequest', 'createEvidence'].includes(this.action) || (this.action === 'addVersion' ? model.evidence.length > 0 : model.requests.length > 0);
  async run(model: Model): Promise<void> {
    const { users, route } = WRONG_ROLE[this.action];
    const user = pickFrom(users, this.pickUser);
    const request = model.requests.length > 0 ? pickFrom(model.requests, this.pick) : undefined;
    const evidence = model.evidence.length > 0 ? pickFrom(model.evidence, this.pick) : undefined;
    const itemPath = request && `/v1/requests/${request.requestId}/items/${request.items[0]!.itemId}`;
    const [path, body] =
      this.action === 'createRequest' ? ['/v1/requests', { factoryId: 'F001', title: 'no', items: [{ docType: 'certificate' }] }]
      : this.action === 'createEvidence' ? ['/v1/evidence', { name: 'no', docType: 'certificate' }]
      : this.action === 'fulfil' ? [`${itemPath}/fulfill`, { evidenceId: evidence?.evidenceId ?? 'evd_x' }]
      : this.action === 'review' ? [`${itemPath}/review`, { decision: 'ACCEPT' }]
      : this.action === 'cancel' ? [`/v1/requests/${request!.requestId}/cancel`, {}]
      : [`/v1/evidence/${evidence!.evidenceId}/versions`, {}];
    expectStatus(await send(route, 'POST', path, user, body), 403, `${this.action} as ${user}`);
    if (request && this.action !== 'addVersion') await checkRequest(request);
    if (evidence && this.action === 'addVersion') await checkEvidence(evidence);
  }
  toString = () => `wrongRole(${this.action}, user #${this.pickUser}, #${this.pick})`;
}

/** A body the schema refuses, from a caller who may otherwise do this: 400. */
class BadBody implements Command {
  constructor(readonly action: 'createRequest' | 'createEvidence' | 'fulfil' | 'review' | 'cancel', readonly variant: number) {}
  check = (model: Readonly<Model>) => ['createRequest', 'createEvidence'].includes(this.action) || model.requests.length > 0;
  async run(model: Model): Promise<void> {
    const v = this.variant % 3;
    const request = model.requests.length > 0 ? pickFrom(model.requests, this.variant) : undefined;
    const itemPath = request && `/v1/requests/${request.requestId}/items/${request.items[0]!.itemId}`;
    const [route, path, user, body]: [string, string, DemoUsername, unknown] =
      this.action === 'createRequest'
        ? ['/v1/requests', '/v1/requests', 'buyer1', [{ factoryId: 'F001', title: 'x', items: [] }, { factoryId: 'F001', title: 'x'.repeat(201), items: [{ docType: 'certificate' }] }, { factoryId: 'F001', title: 'x', items: [{ docType: 'certificate' }], owner: 'B002' }][v]]
      : this.action === 'createEvidence'
        ? ['/v1/evidence', '/v1/evidence', 'factory1', [{ docType: 'certificate' }, { name: 'x', docType: '' }, { name: 'x', docType: 'certificate', factoryId: 'F002' }][v]]
      : this.action === 'fulfil'
        ? ['/v1/requests/{requestId}/items/{itemId}/fulfill', `${itemPath}/fulfill`, FACTORY[request!.factory], [{}, { evidenceId: 42 }, { evidenceId: 'evd_x', version: 0 }][v]]
      : this.action === 'review'
        ? ['/v1/requests/{requestId}/items/{itemId}/review', `${itemPath}/review`, BUYER[request!.buyer], [{ decision: 'MAYBE' }, {}, { decision: 'ACCEPT', comment: 'x'.repeat(1001) }][v]]
      : ['/v1/requests/{requestId}/cancel', `/v1/requests/${request!.requestId}/cancel`, BUYER[request!.buyer], [{ reason: 'x'.repeat(1001) }, { reason: 7 }, { status: 'CANCELLED' }][v]];
    expectStatus(await send(route, 'POST', path, user, body), 400, `${this.action} with bad body ${v}`);
    if (request && !this.action.startsWith('create')) await checkRequest(request);
  }
  toString = () => `badBody(${this.action}, ${this.variant % 3})`;
}

// ---- arbitraries ------------------------------------------------------------------------

const tenant = fc.constantFrom<Tenant>(1, 2);
const docType = fc.constantFrom(...DOC_TYPES);
const keyed = fc.boolean();
const pick = fc.nat({ max: 1_000 });

/** Each arbitrary listed `weight` times: fc.commands picks among the list evenly. */
const commands = [
  // Valid calls, weighted so the workflow moves forward.
  { weight: 4, arbitrary: fc.tuple(tenant, fc.oneof({ weight: 3, arbitrary: fc.constant<'same' | 'cross'>('same') }, fc.constant<'same' | 'cross'>('cross')), fc.array(docType, { minLength: 1, maxLength: 3 }), keyed).map(([b, c, d, k]) => new CreateRequest(b, c === 'same' ? b : otherOf(b), d, k)) },
  { weight: 3, arbitrary: fc.tuple(tenant, docType, fc.boolean(), fc.nat({ max: 9 }).map((n) => n === 0), keyed).map(([f, d, file, expired, k]) => new CreateEvidence(f, d, file, expired, k)) },
  { weight: 2, arbitrary: fc.tuple(pick, fc.boolean(), keyed).map(([p, file, k]) => new AddVersion(p, file, k)) },
  { weight: 3, arbitrary: pick.map((p) => new Upload(p)) },
  { weight: 8, arbitrary: fc.tuple(pick, pick, fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 4 })), keyed).map(([i, e, v, k]) => new Fulfil(i, e, v, k)) },
  { weight: 6, arbitrary: fc.tuple(pick, fc.constantFrom<'ACCEPT' | 'REJECT'>('ACCEPT', 'ACCEPT', 'REJECT'), keyed).map(([i, d, k]) => new Review(i, d, k)) },
  { weight: 1, arbitrary: fc.tuple(pick, keyed).map(([p, k]) => new Cancel(p, k)) },
  { weight: 2, arbitrary: fc.tuple(pick, fc.nat({ max: 4 }).map((n) => n > 0)).map(([p, same]) => new Replay(p, same)) },
  // Hostile calls.
  { weight: 1, arbitrary: fc.tuple(pick, fc.constantFrom('read', 'fulfil', 'review', 'cancel', 'history') as fc.Arbitrary<OtherTenantOnRequest['action']>).map(([p, a]) => new OtherTenantOnRequest(p, a)) },
  { weight: 1, arbitrary: fc.tuple(pick, pick).map(([i, e]) => new ForeignEvidence(i, e)) },
  { weight: 1, arbitrary: fc.tuple(pick, fc.constantFrom<OtherTenantOnEvidence['action']>('add-version', 'read')).map(([p, a]) => new OtherTenantOnEvidence(p, a)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...(Object.keys(WRONG_ROLE) as WrongRoleAction[])), pick, pick).map(([a, u, p]) => new WrongRole(a, u, p)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom<BadBody['action']>('createRequest', 'createEvidence', 'fulfil', 'review', 'cancel'), pick).map(([a, v]) => new BadBody(a, v)) },
].flatMap(({ weight, arbitrary }) => Array.from({ length: weight }, () => arbitrary as fc.Arbitrary<Command>));

function printDistribution(): void {
  const lines = [...distribution.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, counts]) => `  ${route.padEnd(58)} ${[...counts.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join('  ')}`);
  const share = writes.total === 0 ? 0 : writes.succeeded / writes.total;
  // Straight to the terminal: the run's figures, shown even when the test passes.
  process.stdout.write(`\nworkflow model fuzz, statuses per route:\n${lines.join('\n')}\n  writes: ${writes.succeeded} of ${writes.total} succeeded (${(share * 100).toFixed(1)}%)\n`);
}

describe('the request workflow against its model', () => {
  it('answers every valid and hostile sequence as the model predicts, and most writes succeed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), (sequence) =>
        fc.asyncModelRun(() => ({ model: { requests: [], evidence: [], keyed: [] }, real: { api } }), sequence),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    printDistribution();
    const successes = {
      '/v1/requests': 201,
      '/v1/evidence': 201,
      '/v1/evidence/{evidenceId}/versions': 201,
      '/v1/requests/{requestId}/items/{itemId}/fulfill': 200,
      '/v1/requests/{requestId}/items/{itemId}/review': 200,
      '/v1/requests/{requestId}/cancel': 200,
    };
    for (const [route, status] of Object.entries(successes)) expect(distribution.get(`POST ${route}`)?.get(status) ?? 0, `successes on POST ${route}`).toBeGreaterThan(0);
    expect(writes.succeeded / writes.total).toBeGreaterThanOrEqual(1 / 3);
  }, 240_000);
});
