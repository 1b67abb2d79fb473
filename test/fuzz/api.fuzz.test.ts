/**
 * Hostile input, property-based: every endpoint's body, path and query, with every role,
 * with no token or a bad one, and with random Idempotency-Keys. The route-group handlers run
 * in process on API Gateway events (no HTTP), on a real DynamoDB Local table, so the fuzz
 * reaches the real adapters. Properties: never a 5xx; every answer carries its X-Request-Id,
 * errors as problem+json naming it; every audited call leaves exactly one audit event with
 * that id (except 401s), and no other call leaves any.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route, type RouteGroup } from '../../functions/api/routes.js';
import { createHandler as auditHandler } from '../../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../../functions/http/evidence.js';
import { createHandler as publicHandler } from '../../functions/http/public.js';
import { createHandler as requestsHandler } from '../../functions/http/requests.js';
import type { ApiHandler } from '../../functions/middleware/api-operation.js';
import { lambdaContext, matchRoute, toProxyEvent } from '../../local/api-gateway-adapter.js';
import type { DemoUsername } from '../../local/demo-users.js';
import { seedOrganisations } from '../../local/seed.js';
import { documentClient } from '../../functions/composition/table.js';
import { testConfiguration, testDeps } from '../support/deps.js';
import { createTestTable } from '../support/dynamodb.js';
import { startTestTokenIssuer, type TestTokenIssuer } from '../support/tokens.js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';

/** Calls per property run, run concurrently; runs per route. 14 routes x 90 x 8 = 10,080 cases. */
const BATCH = 8;
const RUNS_PER_ROUTE = 90;
const SEED = 20_261_122;

const USERS = ['buyer1', 'buyer2', 'factory1', 'factory2', 'auditor1', 'admin1'] as const satisfies readonly DemoUsername[];
type Caller = (typeof USERS)[number] | 'anonymous' | 'garbage' | 'id-token' | 'expired';

let tokens: TestTokenIssuer;
let documents: ReturnType<typeof documentClient>;
let tableName: string;
let handlers: Record<RouteGroup, ApiHandler>;
const tokenOf = new Map<Caller, string | undefined>();
const known = { requestIds: [] as string[], itemIds: [] as string[], evidenceIds: [] as string[] };
/** Every call made: its request id and whether it must leave exactly one audit event. */
const calls: { requestId: string; audited: boolean; label: string }[] = [];

interface Call {
  readonly method: string;
  readonly url: string;
  readonly caller: Caller;
  readonly body?: string | undefined;
  readonly headers?: readonly (readonly [string, string])[];
}

async function invoke(call: Call): Promise<{ result: APIGatewayProxyResult; route: Route | undefined; requestId: string }> {
  const requestId = randomUUID();
  const rawPath = call.url.split('?')[0]!;
  const match = matchRoute(ROUTES, call.method, rawPath);
  if (match.kind !== 'route') throw new Error(`fuzz built a path with no route: ${call.method} ${call.url} (${match.kind})`);
  const token = tokenOf.get(call.caller);
  const rawHeaders = [
    'Host', '127.0.0.1',
    'User-Agent', 'fuzz',
    ...(token !== undefined ? ['Authorization', `Bearer ${token}`] : []),
    ...(call.body !== undefined ? ['Content-Type', 'application/json'] : []),
    ...(call.headers ?? []).flat(),
  ];
  const event = toProxyEvent({
    request: { method: call.method, url: call.url, rawHeaders, body: Buffer.from(call.body ?? '', 'utf8'), sourceIp: '198.51.100.7', host: '127.0.0.1' },
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
  await seedOrganisations(table.client, tableName);
  tokens = await startTestTokenIssuer();
  const config = testConfiguration(table, tokens);
  documents = documentClient(config);
  const deps = testDeps(config);
  handlers = { requests: requestsHandler(deps), evidence: evidenceHandler(deps), audit: auditHandler(deps), public: publicHandler(deps) };
  for (const user of USERS) tokenOf.set(user, await tokens.accessToken(user));
  tokenOf.set('anonymous', undefined);
  tokenOf.set('garbage', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  tokenOf.set('id-token', await tokens.idToken('buyer1'));
  tokenOf.set('expired', await tokens.accessToken('buyer1', { expiresIn: -60 } as never).catch(() => tokens.sign({ sub: 'x', exp: 1 })));

  // Real objects, so a share of the fuzzed ids hit something.
  for (const [buyer, factory] of [['buyer1', 'F001'], ['buyer2', 'F002']] as const) {
    const created = await invoke({ method: 'POST', url: '/v1/requests', caller: buyer, body: JSON.stringify({ factoryId: factory, title: 'seed', items: [{ docType: 'audit-report' }, { docType: 'certificate' }] }) });
    const request = JSON.parse(created.result.body) as { requestId: string; items: { itemId: string }[] };
    known.requestIds.push(request.requestId);
    known.itemIds.push(...request.items.map((i) => i.itemId));
  }
  for (const factory of ['factory1', 'factory2'] as const) {
    const created = await invoke({ method: 'POST', url: '/v1/evidence', caller: factory, body: JSON.stringify({ name: 'seed', docType: 'audit-report' }) });
    known.evidenceIds.push((JSON.parse(created.result.body) as { evidenceId: string }).evidenceId);
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
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "' OR 1=1 --", '#', 'REQUEST#x', 'AUDIT', '{"$ne":null}', '\ud800', '%00', 'null', '__proto__', 'constructor'),
  sized(120),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const anyValue = fc.oneof(hostileString, anyJson, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const pick = (list: () => readonly string[]) => fc.nat().map((n) => list()[n % Math.max(1, list().length)] ?? 'none');
const idLike = fc.oneof(pick(() => known.requestIds), pick(() => known.evidenceIds), pick(() => known.itemIds), hostileString, sized(100));
const isoDate = fc.oneof(fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2200-01-01') }).map((d) => d.toISOString()), hostileString);

/** A body of the operation's shape, some fields valid and some hostile, sometimes with unknown fields. */
function shaped(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.dictionary(hostileString, anyValue, { maxKeys: 2 }), { freq: 5 })).map(([body, extra]) => ({ ...body, ...extra }));
}

const BODIES: Partial<Record<string, fc.Arbitrary<Record<string, unknown>>>> = {
  createRequest: shaped({
    factoryId: field(fc.constantFrom('F001', 'F002', 'B001', 'F999')),
    title: field(sized(200)),
    description: field(sized(4000)),
    dueDate: field(fc.constantFrom('2026-12-31', '2026-02-30', '26-1-1')),
    items: field(fc.array(shaped({ docType: field(sized(100)), note: field(sized(1000)) }), { maxLength: 52 })),
  }),
  fulfilItem: shaped({ evidenceId: field(idLike), version: field(fc.integer({ min: -1, max: 4 })) }),
  reviewItem: shaped({ decision: field(fc.constantFrom('ACCEPT', 'REJECT', 'accept')), comment: field(sized(1000)) }),
  cancelRequest: shaped({ reason: field(sized(1000)) }),
  createEvidence: shaped({ name: field(sized(200)), docType: field(fc.constantFrom('audit-report', 'certificate')), notes: field(sized(1000)), expiresAt: field(isoDate) }),
  addEvidenceVersion: shaped({
    notes: field(sized(1000)),
    expiresAt: field(isoDate),
    file: field(shaped({ fileName: field(sized(200)), contentType: field(fc.constantFrom('application/pdf', 'text/html', '')), size: field(fc.integer({ min: -1, max: 2 ** 40 })), sha256: field(fc.stringMatching(/^[0-9a-f]{64}$/)) })),
  }),
};

const rawBody = (operation: string | undefined) =>
  fc.oneof(
    { weight: 6, arbitrary: (BODIES[operation ?? ''] ?? shaped({})).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{"__proto__":{"x":1}}')) },
  );

const QUERY_NAMES = ['limit', 'cursor', 'status', 'docType', 'from', 'to', 'actorId', 'action', 'resourceType', 'resourceId', 'outcome'];
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '100', '101', '-1', '1.5', '1e2', 'OPEN', 'CANCELLED', 'SUCCESS', 'request', 'request.create', 'audit-report', '2026-11-22T10:00:00.000Z', 'eyJwayI6IlgifQ', ''),
  hostileString,
  sized(2050),
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
  const paramValues = fc.tuple(...params.map(() => fc.oneof(idLike, fc.string({ minLength: 1, maxLength: 5 })).filter((v) => v.length > 0)));
  return fc.record({ values: paramValues, query, caller: callerArb, body: fc.option(rawBody(route.operation), { freq: 8 }), key: idempotencyHeader }).map(({ values, query: q, caller, body, key }) => {
    let path = route.path;
    params.forEach((name, i) => (path = path.replace(`{${name}}`, encode(values[i]!))));
    const search = q.map(([n, v]) => `${encode(n)}=${encode(v)}`).join('&');
    const usesBody = route.method === 'POST';
    return {
      method: route.method,
      url: search ? `${path}?${search}` : path,
      caller,
      body: usesBody ? (body ?? undefined) : undefined,
      headers: key !== null ? [['Idempotency-Key', key] as const].filter(([, v]) => /^[\x20-\x7e]*$/.test(v)) : [],
    };
  });
}

// ---- properties --------------------------------------------------------------------------

const fuzzed = ROUTES.filter((r) => r.operation);

describe('hostile input to every endpoint', () => {
  it.each(fuzzed.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: no 5xx, a request id on every answer, problem+json errors', async (label, route) => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseFor(route), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(
          batch.map(async (call) => {
            const { result, requestId } = await invoke(call);
            const headers = result.headers ?? {};
            const where = `${call.method} ${call.url} as ${call.caller} -> ${result.statusCode} ${result.body.slice(0, 300)}`;
            expect(result.statusCode, where).toBeLessThan(500);
            expect(headers['X-Request-Id'], where).toBe(requestId);
            if (result.statusCode >= 400) {
              expect(headers['Content-Type'], where).toBe('application/problem+json');
              expect(JSON.parse(result.body), where).toMatchObject({ status: result.statusCode, correlationId: requestId });
            }
            calls.push({ requestId, audited: route.audit !== undefined && result.statusCode !== 401, label: where });
          }),
        );
      }),
      { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
    );
  });

  it(`made at least 10,000 calls, and every audited one left exactly one audit event`, async () => {
    expect(calls.length).toBeGreaterThanOrEqual(10_000);
    const counts = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 10_000; page++) {
      const answer = await documents.send(
        new ScanCommand({ TableName: tableName, FilterExpression: 'entity = :audit', ExpressionAttributeValues: { ':audit': 'audit' }, ProjectionExpression: 'correlationId', ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      for (const item of answer.Items ?? []) counts.set(item.correlationId as string, (counts.get(item.correlationId as string) ?? 0) + 1);
      startKey = answer.LastEvaluatedKey;
      if (!startKey) break;
    }
    const wrong = calls.filter((c) => (counts.get(c.requestId) ?? 0) !== (c.audited ? 1 : 0));
    expect(wrong.slice(0, 5).map((c) => `${c.audited ? 'audited' : 'unaudited'} call has ${counts.get(c.requestId) ?? 0} events: ${c.label}`)).toEqual([]);
  });
});
