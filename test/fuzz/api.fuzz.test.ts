/**
 * Hostile input, property-based, over every endpoint the API has: every body, path and query,
 * with every role, with no token or a bad one, random Idempotency-Keys, and generators that
 * relate fields to each other (reversed and equal ranges in every RFC 3339 form, every length
 * and limit at and past its boundary, every content type, repeated identity and idempotency
 * headers, edits of real cursors and their replay by another user or query). The route-group
 * handlers run in process on API Gateway events built by the local adapter, on a real
 * DynamoDB Local table, so the fuzz reaches the real adapters. Properties: never a 5xx; every
 * answer carries its X-Request-Id and the security headers, errors as problem+json naming it
 * with a listed code; each related rule answers as API.md 1.1 says; every audited call leaves
 * exactly one audit event with that id (except 401s), and no other call leaves any.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAnonymous, ROUTES, type Route, type RouteGroup } from '../../functions/api/routes.js';
import { createHandler as auditHandler } from '../../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../../functions/http/evidence.js';
import { createHandler as publicHandler } from '../../functions/http/public.js';
import { createHandler as packsHandler } from '../../functions/http/packs.js';
import { createHandler as requestsHandler } from '../../functions/http/requests.js';
import { createHandler as notificationsHandler } from '../../functions/http/notifications.js';
import { notificationsDeps } from '../../functions/composition/notifications.js';
import type { ApiHandler } from '../../functions/middleware/api-operation.js';
import { lambdaContext, matchRoute, toProxyEvent } from '../../local/api-gateway-adapter.js';
import type { DemoUsername } from '../../local/demo-users.js';
import { documentClient } from '../../functions/composition/table.js';
import { seedTestDirectory, testConfiguration, testDeps } from '../support/deps.js';
import { createHandler as directoryHandler } from '../../functions/http/directory.js';
import { createTestTable } from '../support/dynamodb.js';
import { startTestTokenIssuer, type TestTokenIssuer } from '../support/tokens.js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { markFileAvailable } from '../support/evidence-files.js';
import { PROBLEM_CODES } from '../../functions/core/errors.js';
import { scopeOf, type Operation } from '../../functions/core/permissions.js';
import { DEMO_USERS } from '../../local/demo-users.js';

/** Calls per property run, run concurrently. Cases per CI run: see the count test at the end (at least 20,000). */
const BATCH = 8;
/** Hostile runs per endpoint: 39 endpoints x 100 x 8 = 31,200 cases; the related-field properties add the rest. */
const RUNS_PER_ROUTE = 100;
const MIN_CASES = 20_000;
const SEED = 20_261_122;

const USERS = ['buyer1', 'buyer2', 'factory1', 'factory2', 'auditor1', 'admin1'] as const satisfies readonly DemoUsername[];
type Caller = (typeof USERS)[number] | 'anonymous' | 'garbage' | 'id-token' | 'expired';

let tokens: TestTokenIssuer;
let documents: ReturnType<typeof documentClient>;
let tableName: string;
let handlers: Record<RouteGroup, ApiHandler>;
const tokenOf = new Map<Caller, string | undefined>();
const known = { requestIds: [] as string[], itemIds: [] as string[], evidenceIds: [] as string[] };
/** Lists with a second page, and who reads them. */
const CURSOR_SOURCES: readonly (readonly [Caller, string])[] = [
  ['buyer1', '/v1/requests'],
  ['factory1', '/v1/factory/requests'],
  ['auditor1', '/v1/requests'],
  ['factory1', '/v1/evidence'],
  ['admin1', '/v1/evidence?docType=audit-report'],
  ['auditor1', '/v1/audit'],
  ['admin1', '/v1/audit?outcome=SUCCESS'],
];
const cursors: { caller: Caller; path: string; cursor: string }[] = [];
/** Every call made: its request id and whether it must leave exactly one audit event. */
const calls: { requestId: string; audited: boolean; label: string }[] = [];

interface Call {
  readonly method: string;
  readonly url: string;
  readonly caller: Caller;
  readonly body?: string | Buffer | undefined;
  /** The body's Content-Type; `null` sends none. @default application/json when there is a body */
  readonly contentType?: string | null;
  /** Sends the caller's Authorization header twice. */
  readonly authorizationTwice?: boolean;
  readonly headers?: readonly (readonly [string, string])[];
}

async function invoke(call: Call): Promise<{ result: APIGatewayProxyResult; route: Route | undefined; requestId: string }> {
  const requestId = randomUUID();
  const rawPath = call.url.split('?')[0]!;
  const match = matchRoute(ROUTES, call.method, rawPath);
  if (match.kind !== 'route') throw new Error(`fuzz built a path with no route: ${call.method} ${call.url} (${match.kind})`);
  const token = tokenOf.get(call.caller);
  const authorization = token !== undefined ? ['Authorization', `Bearer ${token}`] : [];
  const contentType = call.contentType === undefined ? (call.body !== undefined ? 'application/json' : null) : call.contentType;
  const rawHeaders = [
    'Host', '127.0.0.1',
    'User-Agent', 'fuzz',
    ...authorization,
    ...(call.authorizationTwice ? authorization : []),
    ...(contentType !== null ? ['Content-Type', contentType] : []),
    ...(call.headers ?? []).flat(),
  ];
  const body = Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body ?? '', 'utf8');
  const event = toProxyEvent({
    request: { method: call.method, url: call.url, rawHeaders, body, sourceIp: '198.51.100.7', host: '127.0.0.1' },
    route: match.route,
    pathParameters: match.pathParameters,
    requestId,
    now: new Date(),
  });
  const result = await handlers[match.route.group](event, lambdaContext(`fuzz-${match.route.group}`, 10_000));
  return { result, route: match.route, requestId };
}

beforeAll(async () => {
  const table = await createTestTable('fuzz');
  tableName = table.tableName;
  tokens = await startTestTokenIssuer();
  const config = testConfiguration(table, tokens);
  await seedTestDirectory(table, config);
  documents = documentClient(config);
  const deps = testDeps(config);
  handlers = { requests: requestsHandler(deps), evidence: evidenceHandler(deps), audit: auditHandler(deps), public: publicHandler(deps), notifications: notificationsHandler({ ...notificationsDeps(config), ...deps }), directory: directoryHandler({ ...notificationsDeps(config), ...deps }), packs: packsHandler(deps) };
  for (const user of USERS) tokenOf.set(user, await tokens.accessToken(user));
  tokenOf.set('anonymous', undefined);
  tokenOf.set('garbage', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  tokenOf.set('id-token', await tokens.idToken('buyer1'));
  tokenOf.set('expired', await tokens.accessToken('buyer1', { expiresIn: -60 } as never).catch(() => tokens.sign({ sub: 'x', exp: 1 })));

  // Real objects, so a share of the fuzzed ids hit something.
  for (const [buyer, factory] of [['buyer1', 'F001'], ['buyer2', 'F002'], ['buyer1', 'F001'], ['buyer2', 'F002']] as const) {
    const created = await invoke({ method: 'POST', url: '/v1/requests', caller: buyer, body: JSON.stringify({ factoryId: factory, title: 'seed', items: [{ docType: 'audit-report' }, { docType: 'certificate' }] }) });
    const request = JSON.parse(created.result.body) as { requestId: string; items: { itemId: string }[] };
    known.requestIds.push(request.requestId);
    known.itemIds.push(...request.items.map((i) => i.itemId));
  }
  for (const factory of ['factory1', 'factory2', 'factory1', 'factory2'] as const) {
    const created = await invoke({ method: 'POST', url: '/v1/evidence', caller: factory, body: JSON.stringify({ name: 'seed', docType: 'audit-report' }) });
    known.evidenceIds.push((JSON.parse(created.result.body) as { evidenceId: string }).evidenceId);
    // One with a file left PENDING_UPLOAD (upload-url answers) and one verified (downloads answer).
    for (const verified of [false, true]) {
      const file = { fileName: 'seed.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) };
      const withFile = await invoke({ method: 'POST', url: '/v1/evidence', caller: factory, body: JSON.stringify({ name: 'seed', docType: 'audit-report', file }) });
      const evidenceId = (JSON.parse(withFile.result.body) as { evidenceId: string }).evidenceId;
      if (verified) await markFileAvailable(table, evidenceId, 1);
      known.evidenceIds.push(evidenceId);
    }
  }
  // Real cursors: a first page of one item, for each list a user may read.
  for (const [caller, path] of CURSOR_SOURCES) {
    const page = await invoke({ method: 'GET', url: `${path}${path.includes('?') ? '&' : '?'}limit=1`, caller });
    const nextCursor = (JSON.parse(page.result.body) as { nextCursor?: string }).nextCursor;
    if (!nextCursor) throw new Error(`no second page for ${caller} ${path}`);
    cursors.push({ caller, path, cursor: nextCursor });
  }
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  await tokens?.stop();
});

// ---- arbitraries -------------------------------------------------------------------------

const nearLimit = (max: number) => fc.oneof(fc.constant(max), fc.constant(max + 1), fc.integer({ min: 0, max: max + 2 }));
const sized = (max: number) => nearLimit(max).map((n) => 'x'.repeat(n));
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\u2066', '\u001b[2J', '../../etc/passwd', "' OR 1=1 --", '#', 'REQUEST#x', 'AUDIT', '{"$ne":null}', '\ud800', '%00', 'null', '__proto__', 'constructor'),
  sized(120),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const anyValue = fc.oneof(hostileString, anyJson, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const pick = (list: () => readonly string[]) => fc.nat().map((n) => list()[n % Math.max(1, list().length)] ?? 'none');
const idLike = fc.oneof(pick(() => known.requestIds), pick(() => known.evidenceIds), pick(() => known.itemIds), hostileString, sized(100));

/** An instant between 1990 and 2100. */
const instant = fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
/** The same instant in any RFC 3339 form: Z or an offset, 0-9 fraction digits. */
function rfc3339(ms: number, offsetMinutes: number, digits: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const fraction = digits === 0 ? '' : `.${(local.slice(20, 23) + '000000').slice(0, digits)}`;
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 19)}${fraction}${offset}`;
}
/** The instant the API must read from rfc3339(ms, _, digits): fractions past milliseconds are cut. */
const readAs = (ms: number, digits: number) => new Date(digits >= 3 ? ms : Math.floor(ms / 10 ** (3 - digits)) * 10 ** (3 - digits)).toISOString();
const dateTimeForm = fc.record({ ms: instant, offset: fc.oneof(fc.constant(0), fc.integer({ min: -12 * 60, max: 14 * 60 })), digits: fc.integer({ min: 0, max: 9 }) });
const badDateTime = fc.constantFrom('2027-06-30', '2027-06-30T00:00:00', '2027-06-30 00:00:00Z', '2027-06-30T24:00:00Z', '2027-13-01T00:00:00Z', '30/06/2027', '2027-06-30T00:00:00+2', 'now', '');
const isoDate = fc.oneof(dateTimeForm.map(({ ms, offset, digits }) => rfc3339(ms, offset, digits)), badDateTime, hostileString);

const fileName = fc.oneof(
  sized(255),
  hostileString,
  fc.constantFrom('../../../F002/evd_x/v2/cert.pdf', 'a\r\nX-Injected: 1', '\u202Efdp.exe', '.', '..', 'a/b', 'a\\b', 'ok.pdf', 'Prüf «2026».pdf'),
);
/** Path parameter `{version}`: plain numbers and what only looks like one. */
const versionLike = fc.oneof(fc.constantFrom('1', '2', '0', '01', '-1', '+1', '1e2', '0x1', '1.0', '999999999', '9999999999'), hostileString);

/** A body of the operation's shape, some fields valid and some hostile, sometimes with unknown fields. */
function shaped(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.dictionary(hostileString, anyValue, { maxKeys: 2 }), { freq: 5 })).map(([body, extra]) => ({ ...body, ...extra }));
}

const fileArb = shaped({
  fileName: field(fileName),
  contentType: field(fc.constantFrom('application/pdf', 'text/csv', 'text/html', 'text/html\r\nX-Injected: 1', '')),
  size: field(fc.oneof(fc.constantFrom(0, 1, 100 * 1024 ** 2, 100 * 1024 ** 2 + 1), fc.integer({ min: -1, max: 2 ** 40 }))),
  sha256: field(fc.stringMatching(/^[0-9a-f]{64}$/)),
});

const BODIES: Partial<Record<string, fc.Arbitrary<Record<string, unknown>>>> = {
  createRequest: shaped({
    factoryId: field(fc.constantFrom('F001', 'F002', 'B001', 'F999')),
    title: field(sized(200)),
    description: field(sized(4000)),
    dueDate: field(fc.constantFrom('2026-12-31', '2099-01-01', '2020-01-01', '2026-02-30', '26-1-1')),
    items: field(fc.array(shaped({ docType: field(sized(100)), note: field(sized(1000)) }), { maxLength: 52 })),
  }),
  fulfilItem: shaped({ evidenceId: field(idLike), version: field(fc.integer({ min: -1, max: 4 })) }),
  reviewItem: shaped({ decision: field(fc.constantFrom('ACCEPT', 'REJECT', 'accept')), comment: field(sized(1000)) }),
  cancelRequest: shaped({ reason: field(sized(1000)) }),
  createEvidence: shaped({ name: field(sized(200)), docType: field(fc.constantFrom('audit-report', 'certificate')), notes: field(sized(1000)), expiresAt: field(isoDate), file: field(fileArb) }),
  addEvidenceVersion: shaped({ notes: field(sized(1000)), expiresAt: field(isoDate), file: field(fileArb) }),
  createComment: shaped({ text: field(fc.oneof(sized(4000), fc.constantFrom('line\nbreak', 'tab\there', 'bell\u0007'))), itemId: field(idLike) }),
  createOrganisation: shaped({ kind: field(fc.constantFrom('buyer', 'factory', 'auditor')), name: field(sized(200)), country: field(fc.constantFrom('PT', 'pt', 'PRT', '')) }),
  suspendOrganisation: shaped({ reason: field(sized(1000)) }),
  createUser: shaped({
    username: field(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{2,20}$/), sized(64), fc.constantFrom('buyer1', 'Admin', 'a b'))),
    email: field(fc.oneof(fc.emailAddress(), fc.constantFrom('not-an-email', 'a@b', `${'x'.repeat(250)}@example.com`))),
    role: field(fc.constantFrom('buyer', 'factory', 'auditor', 'admin', 'root')),
    orgId: field(fc.constantFrom('B001', 'F001', 'F999', '')),
  }),
  changeUserRole: shaped({ role: field(fc.constantFrom('buyer', 'factory', 'auditor', 'admin', 'root')), orgId: field(fc.constantFrom('B001', 'F001', 'F999')) }),
  disableUser: shaped({ reason: field(sized(1000)) }),
  enableUser: shaped({ reason: field(sized(1000)) }),
};

const rawBody = (operation: string | undefined) =>
  fc.oneof(
    { weight: 6, arbitrary: (BODIES[operation ?? ''] ?? shaped({})).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{"__proto__":{"x":1}}')) },
  );

/** Every media type a client might send a body as; only the JSON ones are accepted. */
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;charset=UTF-8', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/problem+json', 'application/xml', '*/*', ''];
const contentType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES, null) }, { weight: 1, arbitrary: hostileString.filter((v) => /^[\x20-\x7e]*$/.test(v)) });
const isJsonType = (type: string | null) => type !== null && /^application\/json[ \t]*(;.*)?$/i.test(type.trim());

const QUERY_NAMES = ['limit', 'cursor', 'status', 'docType', 'from', 'to', 'actorId', 'action', 'resourceType', 'resourceId', 'outcome', 'dueBefore', 'overdue', 'kind', 'q', 'orgId', 'role', 'actorUsername'];
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '100', '101', '-1', '+3', '0x10', ' 5', '5e0', '05', '1.5', 'true', 'false', '2026-12-31', '2019-02-29', 'OPEN', 'CANCELLED', 'SUCCESS', 'request', 'request.create', 'audit-report', '2026-11-22T10:00:00.000Z', '2026-11-22T12:00:00+02:00', 'eyJwayI6IlgifQ', ''),
  hostileString,
  pick(() => cursors.map((c) => c.cursor)),
  sized(4100),
);
/** Hostile names include what Object.prototype already has (`__proto__`, `constructor`). */
const queryName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: hostileString });
const query = fc.array(fc.tuple(queryName, queryValue), { maxLength: 4 });

const callerArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...USERS) },
  { weight: 1, arbitrary: fc.constantFrom<Caller>('anonymous', 'garbage', 'id-token', 'expired') },
);
const idempotencyHeader = fc.option(fc.oneof(fc.constantFrom('k1', 'k2'), hostileString), { freq: 4 });

/** encodeURIComponent, with lone surrogates (which it refuses) made replacement characters, as a client would send them. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

function caseFor(route: Route): fc.Arbitrary<Call> {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const paramValues = fc.tuple(...params.map((name) => (name === 'version' ? versionLike : fc.oneof(idLike, fc.string({ minLength: 1, maxLength: 5 }))).filter((v) => v.length > 0)));
  return fc
    .record({ values: paramValues, query, caller: callerArb, body: fc.option(rawBody(route.operation), { freq: 8 }), key: idempotencyHeader, type: fc.option(contentType, { freq: 6 }) })
    .map(({ values, query: q, caller, body, key, type }) => {
      let path = route.path;
      params.forEach((name, i) => (path = path.replace(`{${name}}`, encode(values[i]!))));
      const search = q.map(([n, v]) => `${encode(n)}=${encode(v)}`).join('&');
      const usesBody = route.method === 'POST';
      return {
        method: route.method,
        url: search ? `${path}?${search}` : path,
        caller,
        body: usesBody ? (body ?? undefined) : undefined,
        ...(type !== null && { contentType: type }),
        headers: key !== null ? [['Idempotency-Key', key] as const].filter(([, v]) => /^[\x20-\x7e]*$/.test(v)) : [],
      };
    });
}

// ---- checks ------------------------------------------------------------------------------

const roleOf = (caller: Caller) => DEMO_USERS.find((u) => u.username === caller)?.group;
/** The caller is a signed-in user whose role may call the operation at all. */
const mayCall = (caller: Caller, operation: Operation) => {
  const role = roleOf(caller);
  return role !== undefined && scopeOf(role, operation) !== 'never';
};
const KNOWN_CODES = new Set(Object.keys(PROBLEM_CODES));

/** What every answer must be, whatever was sent; records the call for the audit count. */
async function answer(call: Call): Promise<{ status: number; body: any; where: string; headers: Record<string, unknown> }> {
  const { result, route, requestId } = await invoke(call);
  const headers = result.headers ?? {};
  const where = `${call.method} ${call.url} as ${call.caller} (${String(call.contentType)}) -> ${result.statusCode} ${result.body.slice(0, 300)}`;
  expect(result.statusCode, where).toBeLessThan(500);
  expect(headers['X-Request-Id'], where).toBe(requestId);
  expect(headers['Cache-Control'], where).toBe('no-store');
  expect(headers['X-Content-Type-Options'], where).toBe('nosniff');
  expect(headers['Strict-Transport-Security'], where).toBe('max-age=31536000');
  const body = result.body ? JSON.parse(result.body) : undefined;
  if (result.statusCode >= 400) {
    expect(headers['Content-Type'], where).toBe('application/problem+json');
    expect(body, where).toMatchObject({ status: result.statusCode, correlationId: requestId, type: expect.stringMatching(/^urn:evidence-requests:problem:[a-z-]+$/) });
    expect(KNOWN_CODES.has(body.code), where).toBe(true);
  }
  calls.push({ requestId, audited: route?.audit !== undefined && result.statusCode !== 401, label: where });
  return { status: result.statusCode, body, where, headers };
}

const batchOf = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: BATCH, maxLength: BATCH });
const runs = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

// ---- properties --------------------------------------------------------------------------

describe('hostile input to every endpoint', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: no 5xx, the answer headers, problem+json errors with a listed code', async (_label, route) => {
    await fc.assert(
      fc.asyncProperty(batchOf(caseFor(route)), async (batch) => {
        await Promise.all(batch.map((call) => answer(call)));
      }),
      runs(RUNS_PER_ROUTE),
    );
  });
});

describe('related fields', () => {
  it('answers an audit range by its instants, whatever their RFC 3339 form: from after to is 400 naming both', async () => {
    const rangeCase = fc.record({ from: dateTimeForm, to: dateTimeForm, equal: fc.boolean(), caller: fc.constantFrom<Caller>('auditor1', 'admin1', 'auditor1', 'buyer1') });
    await fc.assert(
      fc.asyncProperty(batchOf(rangeCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ from, to: toForm, equal, caller }) => {
            const to = equal ? { ...toForm, ms: from.ms } : toForm;
            const url = `/v1/audit?from=${encode(rfc3339(from.ms, from.offset, from.digits))}&to=${encode(rfc3339(to.ms, to.offset, to.digits))}&limit=5`;
            const { status, body, where } = await answer({ method: 'GET', url, caller });
            const reversed = readAs(from.ms, from.digits) > readAs(to.ms, to.digits);
            if (!mayCall(caller, 'listAudit')) expect(status, where).toBe(403);
            else if (reversed) {
              expect(status, where).toBe(400);
              expect(body.code, where).toBe('range-reversed');
              expect(body.errors.map((e: { path: string }) => e.path), where).toEqual(['query.from', 'query.to']);
            } else expect(status, where).toBe(200);
          }),
        );
      }),
      runs(250),
    );
  });

  /** Each text field and count at its limit is accepted, one past it refused naming that field. */
  const BOUNDARIES: readonly { name: string; max: number; build: (n: number, c: string) => Call; field: string; min?: number }[] = [
    { name: 'title', max: 200, field: '/title', build: (n, c) => create('buyer1', { title: c.repeat(n) }) },
    { name: 'description', max: 4000, field: '/description', min: 0, build: (n, c) => create('buyer1', { description: c.repeat(n) }) },
    { name: 'docType', max: 100, field: '/items/0/docType', build: (n, c) => create('buyer1', { items: [{ docType: c.repeat(n) }] }) },
    { name: 'note', max: 1000, field: '/items/0/note', min: 0, build: (n, c) => create('buyer1', { items: [{ docType: 'x', note: c.repeat(n) }] }) },
    { name: 'items', max: 50, field: '/items', build: (n) => create('buyer1', { items: Array.from({ length: n }, () => ({ docType: 'x' })) }) },
    { name: 'evidence name', max: 200, field: '/name', build: (n, c) => evidenceBody({ name: c.repeat(n) }) },
    { name: 'evidence notes', max: 1000, field: '/notes', min: 0, build: (n, c) => evidenceBody({ notes: c.repeat(n) }) },
    { name: 'review comment', max: 1000, field: '/comment', min: 0, build: (n, c) => ({ method: 'POST', url: `/v1/requests/${known.requestIds[0]}/items/${known.itemIds[0]}/review`, caller: 'buyer1', body: JSON.stringify({ decision: 'REJECT', comment: c.repeat(n) }) }) },
    { name: 'cancel reason', max: 1000, field: '/reason', min: 0, build: (n, c) => ({ method: 'POST', url: `/v1/requests/${known.requestIds[2]}/cancel`, caller: 'buyer1', body: JSON.stringify({ reason: c.repeat(n) }) }) },
    { name: 'limit', max: 100, field: 'query.limit', min: 1, build: (n) => ({ method: 'GET', url: `/v1/requests?limit=${n}`, caller: 'buyer1' }) },
    { name: 'request id', max: 100, field: 'path.requestId', build: (n, c) => ({ method: 'GET', url: `/v1/requests/${encode(c.repeat(n))}`, caller: 'auditor1' }) },
  ];
  const create = (caller: Caller, fields: Record<string, unknown>): Call => ({
    method: 'POST', url: '/v1/requests', caller, body: JSON.stringify({ factoryId: 'F001', title: 't', items: [{ docType: 'x' }], ...fields }),
  });
  const evidenceBody = (fields: Record<string, unknown>): Call => ({ method: 'POST', url: '/v1/evidence', caller: 'factory1', body: JSON.stringify({ name: 'n', docType: 'x', ...fields }) });

  it('accepts every length and limit at its boundary and refuses one past it, naming the field', async () => {
    const boundaryCase = fc.record({
      boundary: fc.constantFrom(...BOUNDARIES),
      side: fc.constantFrom('max', 'over', 'min', 'under'),
      char: fc.constantFrom('x', 'é', '漢', 'Z'),
    });
    await fc.assert(
      fc.asyncProperty(batchOf(boundaryCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ boundary, side, char }) => {
            const min = boundary.min ?? 1;
            const n = { max: boundary.max, over: boundary.max + 1, min, under: min - 1 }[side];
            // An empty path segment is no route at all (the adapter's 404, not this handler's).
            if (n < 0 || (n === 0 && boundary.field.startsWith('path.'))) return;
            const { status, body, where } = await answer(boundary.build(n, char));
            const named = status === 400 && body.errors.some((e: { path: string }) => e.path === boundary.field);
            expect(named, where).toBe(side === 'over' || side === 'under');
          }),
        );
      }),
      runs(150),
    );
  });

  it('takes a body only as application/json: any other media type, or none, is 415; bytes that are not UTF-8 are 400', async () => {
    const bodyCase = fc.record({
      target: fc.constantFrom(
        () => ({ url: '/v1/requests', caller: 'buyer1' as Caller, body: { factoryId: 'F001', title: 't', items: [{ docType: 'x' }] } }),
        () => ({ url: '/v1/evidence', caller: 'factory1' as Caller, body: { name: 'n', docType: 'x' } }),
        () => ({ url: `/v1/evidence/${known.evidenceIds[0]}/versions`, caller: 'factory1' as Caller, body: { notes: 'n' } }),
        () => ({ url: `/v1/requests/${known.requestIds[0]}/items/${known.itemIds[1]}/fulfill`, caller: 'factory1' as Caller, body: { evidenceId: known.evidenceIds[0] } }),
        () => ({ url: `/v1/requests/${known.requestIds[0]}/items/${known.itemIds[0]}/review`, caller: 'buyer1' as Caller, body: { decision: 'ACCEPT' } }),
        () => ({ url: `/v1/requests/${known.requestIds[2]}/cancel`, caller: 'buyer1' as Caller, body: {} }),
      ),
      type: contentType,
      twice: fc.boolean(),
      broken: fc.constantFrom(false, false, false, true),
    });
    await fc.assert(
      fc.asyncProperty(batchOf(bodyCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ target, type, twice, broken }) => {
            const { url, caller, body } = target();
            const json = Buffer.from(JSON.stringify(body));
            const bytes = broken ? Buffer.concat([json.subarray(0, json.length - 1), Buffer.from([0xff, 0xfe]), json.subarray(json.length - 1)]) : json;
            const headers = twice && type !== null ? [['Content-Type', type] as const] : [];
            const { status, body: problem, where } = await answer({ method: 'POST', url, caller, body: bytes, contentType: type, headers });
            if (!isJsonType(type) || headers.length > 0) {
              expect(status, where).toBe(415);
              expect(problem.code, where).toBe('unsupported-media-type');
            } else if (broken) {
              expect(status, where).toBe(400);
              expect(problem.code, where).toBe('invalid-utf8');
            } else expect(status, where).not.toBe(415);
          }),
        );
      }),
      runs(200),
    );
  });

  it('refuses identity and idempotency headers sent twice, whatever their values', async () => {
    const operations = ROUTES.filter((r) => r.operation);
    const repeatCase = fc.record({ route: fc.constantFrom(...operations), header: fc.constantFrom('Authorization', 'Idempotency-Key'), caller: fc.constantFrom(...USERS), same: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(batchOf(repeatCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ route, header, caller, same }) => {
            const url = route.path.replace('{requestId}', known.requestIds[0]!).replace('{itemId}', known.itemIds[0]!).replace('{evidenceId}', known.evidenceIds[0]!);
            const body = route.method === 'POST' ? '{}' : undefined;
            if (header === 'Authorization') {
              const { status, headers, where } = await answer({ method: route.method, url, caller, body, authorizationTwice: true });
              if (isAnonymous(route)) {
                // A share link reads no token at all: repeated or not, Authorization changes nothing.
                expect(status, where).toBe(404);
                return;
              }
              expect(status, where).toBe(401);
              expect(headers['WWW-Authenticate'], where).toBe('Bearer error="invalid_token"');
              return;
            }
            const keys = [['Idempotency-Key', 'dup-1'], ['Idempotency-Key', same ? 'dup-1' : 'dup-2']] as const;
            const { status, body: problem, where } = await answer({ method: route.method, url, caller, body, headers: keys });
            if (route.method === 'POST') {
              expect(status, where).toBe(400);
              expect(problem.code, where).toBe('header-repeated');
            } else expect(status, where).not.toBe(500);
          }),
        );
      }),
      runs(150),
    );
  });

  it('refuses a cursor changed in any byte, or replayed by another user or for another query; the cursor as issued pages on', async () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const editCase = fc.record({
      source: fc.nat(),
      edit: fc.constantFrom('none', 'flip', 'truncate', 'append', 'other-user', 'other-query', 'other-list'),
      at: fc.nat(),
      shift: fc.integer({ min: 1, max: 63 }),
    });
    await fc.assert(
      fc.asyncProperty(batchOf(editCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ source, edit, at, shift }) => {
            const issued = cursors[source % cursors.length]!;
            let { cursor, caller, path } = issued;
            const i = at % cursor.length;
            if (edit === 'flip') cursor = cursor.slice(0, i) + ALPHABET[(ALPHABET.indexOf(cursor[i]!) + shift) % 64] + cursor.slice(i + 1);
            if (edit === 'truncate') cursor = cursor.slice(0, Math.max(1, i));
            if (edit === 'append') cursor += ALPHABET[shift];
            if (edit === 'other-user') caller = caller === 'admin1' ? 'auditor1' : caller === 'auditor1' ? 'admin1' : caller === 'buyer1' ? 'buyer2' : 'factory2';
            if (edit === 'other-query') path = path.startsWith('/v1/audit') ? (path.includes('?') ? '/v1/audit' : '/v1/audit?outcome=DENIED') : path.startsWith('/v1/evidence') ? (path.includes('?') ? '/v1/evidence' : '/v1/evidence?docType=x') : `${path}?status=OPEN`;
            if (edit === 'other-list') path = path.startsWith('/v1/requests') ? '/v1/factory/requests' : '/v1/requests';
            if (edit === 'other-list' && !mayCall(caller, path === '/v1/factory/requests' ? 'listFactoryRequests' : 'listRequests')) caller = path === '/v1/factory/requests' ? 'factory1' : 'buyer1';
            const url = `${path}${path.includes('?') ? '&' : '?'}limit=1&cursor=${cursor}`;
            const { status, body, where } = await answer({ method: 'GET', url, caller });
            if (edit === 'none') expect(status, where).toBe(200);
            else {
              expect(status, where).toBe(400);
              expect(body.code, where).toBe('invalid-cursor');
            }
          }),
        );
      }),
      runs(150),
    );
  });

  it('reads every RFC 3339 date-time as its UTC instant and answers it with milliseconds; other forms are 400', async () => {
    const dateCase = fc.record({ form: fc.option(dateTimeForm, { freq: 6 }), bad: badDateTime, version: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(batchOf(dateCase), async (batch) => {
        await Promise.all(
          batch.map(async ({ form, bad, version }) => {
            const expiresAt = form ? rfc3339(form.ms, form.offset, form.digits) : bad;
            const call: Call = version
              ? { method: 'POST', url: `/v1/evidence/${known.evidenceIds[0]}/versions`, caller: 'factory1', body: JSON.stringify({ expiresAt }) }
              : { method: 'POST', url: '/v1/evidence', caller: 'factory1', body: JSON.stringify({ name: 'dated', docType: 'x', expiresAt }) };
            const { status, body, where } = await answer(call);
            if (!form) {
              expect(status, where).toBe(400);
              expect(body.errors[0].path, where).toBe('/expiresAt');
            } else if (!version) {
              expect(status, where).toBe(201);
              expect(body.versions[0].expiresAt, where).toBe(readAs(form.ms, form.digits));
            } else {
              // The fuzz adds many versions to one evidence: past its 200 it is full, a conflict of its own.
              expect([201, 409], where).toContain(status);
              if (status === 409) expect(body.code, where).toBe('too-many-versions');
            }
          }),
        );
      }),
      runs(125),
    );
  });
});

describe('after all of it', () => {
  it(`made at least ${MIN_CASES.toLocaleString('en')} calls, and every audited one left exactly one audit event`, async () => {
    expect(calls.length).toBeGreaterThanOrEqual(MIN_CASES);
    console.info(`fuzz: ${calls.length} cases`);
    const counts = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 10_000; page++) {
      const result = await documents.send(
        new ScanCommand({ TableName: tableName, FilterExpression: 'entity = :audit', ExpressionAttributeValues: { ':audit': 'audit' }, ProjectionExpression: 'correlationId', ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      for (const item of result.Items ?? []) counts.set(item.correlationId as string, (counts.get(item.correlationId as string) ?? 0) + 1);
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    const wrong = calls.filter((c) => (counts.get(c.requestId) ?? 0) !== (c.audited ? 1 : 0));
    expect(wrong.slice(0, 5).map((c) => `${c.audited ? 'audited' : 'unaudited'} call has ${counts.get(c.requestId) ?? 0} events: ${c.label}`)).toEqual([]);
    // One consistent scan of every audit event the run wrote (over 20,000): slow on a busy machine.
  }, 180_000);
});
