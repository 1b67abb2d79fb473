/**
 * The middleware chain's own cost, warm and in process, with I/O excluded (in-memory ports),
 * per request, beside a bare handler that returns the same body. The token check is real
 * RS256 verification with the JWKS cached, measured twice: with a token the function has not
 * seen before (every call verifies a signature) and with one token sent again and again (the
 * verifier's cache of accepted tokens answers, no signature check).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createAccessTokenVerifier } from '../functions/adapters/cognito-token-verifier.js';
import { ROUTES } from '../functions/api/routes.js';
import { createHandler } from '../functions/http/requests.js';
import { createCursorSealer } from '../functions/middleware/cursors.js';
import { lambdaContext, matchRoute, toProxyEvent } from '../local/api-gateway-adapter.js';
import { findUser, generateSigningKey, TokenIssuer } from '../local/token-issuer.js';
import { freePort } from '../local/net.js';
import { memoryPorts } from '../test/support/memory-ports.js';
import { MemoryIdempotencyStore } from '../test/support/memory-idempotency-store.js';
import { percentile } from './stats.js';

export interface LatencyPair {
  readonly operation: string;
  readonly chainP50Us: number;
  readonly chainP99Us: number;
  readonly bareP50Us: number;
  readonly bareP99Us: number;
}

/** Signing a token costs about a millisecond: the first-seen case sends this many. */
const FIRST_SEEN_CALLS = 3_000;
const WARMUP = 500;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

async function sample(handler: Handler, event: () => APIGatewayProxyEvent, iterations: number): Promise<number[]> {
  const context = lambdaContext('bench', 10_000);
  const times: number[] = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const e = event();
    const started = performance.now();
    const result = await handler(e, context);
    times[i] = (performance.now() - started) * 1000;
    if (result.statusCode >= 400) throw new Error(`bench call failed: ${result.statusCode} ${result.body}`);
  }
  return times;
}

export async function measureMiddleware(iterations = 20_000): Promise<LatencyPair[]> {
  const issuer = new TokenIssuer({ key: await generateSigningKey(), password: 'bench' });
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks())));
  const port = await freePort();
  await new Promise<void>((resolve) => jwks.listen(port, '127.0.0.1', resolve));
  try {
    const ports = memoryPorts();
    const handler = createHandler({
      verifier: createAccessTokenVerifier({ userPoolId: issuer.userPoolId, clientIds: [issuer.clientId], jwksUri: `http://127.0.0.1:${port}/jwks.json` }),
      ...ports,
      idempotency: new MemoryIdempotencyStore(),
      cursors: createCursorSealer(async () => randomBytes(32)),
    });
    const token = await issuer.accessToken(findUser('buyer1'));
    // Tokens of distinct buyers of the same organisation, each sent once.
    const fresh = await Promise.all(
      Array.from({ length: Math.min(iterations, FIRST_SEEN_CALLS) + WARMUP }, (_, i) =>
        issuer.accessToken({ username: `bench-buyer-${i}`, group: 'buyer', orgId: 'B001' }, { expiresIn: 3600 }),
      ),
    );
    let nextFresh = 0;
    const freshToken = () => {
      const next = fresh[nextFresh++];
      if (!next) throw new Error('bench ran out of first-seen tokens');
      return next;
    };
    const eventFor = (method: string, url: string, body?: unknown, bearer = token): APIGatewayProxyEvent => {
      const match = matchRoute(ROUTES, method, url.split('?')[0]!);
      if (match.kind !== 'route') throw new Error(`no route ${method} ${url}`);
      return toProxyEvent({
        request: {
          method,
          url,
          rawHeaders: ['Authorization', `Bearer ${bearer}`, 'Content-Type', 'application/json', 'User-Agent', 'bench'],
          body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
          sourceIp: '127.0.0.1',
          host: '127.0.0.1',
        },
        route: match.route,
        pathParameters: match.pathParameters,
        requestId: `bench-${Math.random()}`,
        now: new Date(),
      });
    };
    const createBody = { factoryId: 'F001', title: 'Bench pack', items: [{ docType: 'audit-report' }, { docType: 'certificate', note: 'ISO 9001' }] };
    const first = await handler(eventFor('POST', '/v1/requests', createBody), lambdaContext('bench', 10_000));
    const created = JSON.parse(first.body) as { requestId: string };
    const stored = (await ports.requests.get(created.requestId))!.request;

    const read = () => eventFor('GET', `/v1/requests/${created.requestId}`);
    const create = () => eventFor('POST', '/v1/requests', createBody);
    const cases: { operation: string; chain: () => APIGatewayProxyEvent; bare: () => APIGatewayProxyEvent; bareBody: () => string; iterations: number }[] = [
      { operation: 'read request, cached token', chain: read, bare: read, bareBody: () => JSON.stringify(stored), iterations },
      {
        operation: 'read request, first-seen token (RS256)',
        chain: () => eventFor('GET', `/v1/requests/${created.requestId}`, undefined, freshToken()),
        bare: read,
        bareBody: () => JSON.stringify(stored),
        iterations: Math.min(iterations, FIRST_SEEN_CALLS),
      },
      { operation: 'create request, cached token', chain: create, bare: create, bareBody: () => JSON.stringify(stored), iterations },
    ];
    const results: LatencyPair[] = [];
    for (const c of cases) {
      const bare: Handler = async (event) => {
        // The same work a handler must do at least: read the body, answer the same JSON.
        if (event.body) JSON.parse(event.body);
        return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: c.bareBody() };
      };
      const warmup = Math.min(WARMUP, c.iterations);
      await sample(handler, c.chain, warmup);
      const chainTimes = await sample(handler, c.chain, c.iterations);
      // The bare handler never reads the token: the same events, without spending first-seen tokens.
      await sample(bare, c.bare, 2_000);
      const bareTimes = await sample(bare, c.bare, iterations);
      results.push({
        operation: c.operation,
        chainP50Us: percentile(chainTimes, 50),
        chainP99Us: percentile(chainTimes, 99),
        bareP50Us: percentile(bareTimes, 50),
        bareP99Us: percentile(bareTimes, 99),
      });
    }
    return results;
  } finally {
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  }
}
