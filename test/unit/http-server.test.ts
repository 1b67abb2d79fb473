/** The local HTTP adapter against fake handlers: what it copies back, and what it answers itself. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROUTES, ROUTE_GROUPS, type RouteGroup } from '../../functions/api/routes.js';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';
import { createLocalHttpServer, type LambdaHandler, type LocalHttpServer } from '../../local/http-server.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';

let http: LocalHttpServer;
let url: string;
const events: APIGatewayProxyEvent[] = [];
const errors: unknown[] = [];
let readyIssuer: TokenIssuer;
let behaviour: (event: APIGatewayProxyEvent) => Promise<unknown> = async () => ({ statusCode: 200, body: '{}' });

beforeAll(async () => {
  http = createLocalHttpServer({ timeoutMs: 300, logError: (_m, e) => errors.push(e) });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.server.closeAllConnections();
  await new Promise((resolve) => http.server.close(resolve));
});

function makeReady(): void {
  const handler: LambdaHandler = async (event) => {
    events.push(event);
    return (await behaviour(event)) as never;
  };
  const handlers = Object.fromEntries(ROUTE_GROUPS.map((g) => [g, handler])) as Record<RouteGroup, LambdaHandler>;
  http.ready({ issuer: readyIssuer, routes: ROUTES, handlers });
}

describe('before ready', () => {
  it('answers 503 problem+json with Retry-After', async () => {
    const response = await fetch(`${url}/v1/health`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('once ready', () => {
  beforeAll(async () => {
    readyIssuer = new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD });
    makeReady();
  });

  it('calls the group handler with the proxy event and copies its answer back', async () => {
    behaviour = async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', Location: '/v1/requests/r1', 'X-Request-Id': 'from-handler' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: '{"ok":true}',
    });
    const response = await fetch(`${url}/v1/requests?limit=2`, { method: 'POST', body: '{"title":"t"}', headers: { 'X-Trace': 'abc' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/v1/requests/r1');
    expect(response.headers.get('x-request-id')).toBe('from-handler');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true });
    const event = events.at(-1)!;
    expect(event).toMatchObject({ resource: '/v1/requests', httpMethod: 'POST', body: '{"title":"t"}', queryStringParameters: { limit: '2' } });
    expect(event.headers['X-Trace'] ?? event.headers['x-trace']).toBe('abc');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('decodes a base64 result body', async () => {
    behaviour = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
    const response = await fetch(`${url}/v1/health`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it.each([
    ['throws', async () => { throw new Error('boom'); }, 502],
    ['returns a malformed result', async () => ({ status: 200 }), 502],
    ['takes longer than the integration timeout', () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: '' }), 1_000)), 504],
  ] as const)('answers problem+json with its own X-Request-Id when the handler %s', async (_name, fn, status) => {
    behaviour = fn;
    const response = await fetch(`${url}/v1/health`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as { correlationId: string; detail?: string };
    expect(body.correlationId).toBe(response.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toContain('boom');
  });

  it('answers 413 from Content-Length alone', async () => {
    const response = await fetch(`${url}/v1/evidence`, { method: 'POST', body: new Uint8Array(1024 * 1024 + 10) });
    expect(response.status).toBe(413);
  });

  it('answers 400 for a broken percent-encoding in the path', async () => {
    const response = await fetch(`${url}/v1/requests/%E0%A4%A`);
    expect(response.status).toBe(400);
  });
});

describe('concurrency limit', () => {
  it('answers 429 with Retry-After when every slot stays busy past the wait, and serves the queue in order', async () => {
    const limited = createLocalHttpServer({ maxConcurrency: 1, concurrencyWaitMs: 100, rateLimits: false, logError: () => undefined });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: LambdaHandler = async () => {
      await gate;
      return { statusCode: 200, body: '{}' };
    };
    const handlers = Object.fromEntries(ROUTE_GROUPS.map((g) => [g, slow])) as Record<RouteGroup, LambdaHandler>;
    limited.ready({ issuer: new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD }), routes: ROUTES, handlers });
    await new Promise<void>((resolve) => limited.server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}`;
    try {
      const first = fetch(`${base}/v1/health`);
      const throttled = await fetch(`${base}/v1/health`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      release();
      expect((await first).status).toBe(200);
      expect((await fetch(`${base}/v1/health`)).status).toBe(200);
    } finally {
      limited.server.closeAllConnections();
      await new Promise((resolve) => limited.server.close(resolve));
    }
  });

  it('by default queues a burst past the limit within the integration timeout instead of shedding it', async () => {
    const limited = createLocalHttpServer({ maxConcurrency: 1, timeoutMs: 10_000, rateLimits: false, logError: () => undefined });
    let inFlight = 0;
    let most = 0;
    const slow: LambdaHandler = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 400));
      inFlight -= 1;
      return { statusCode: 200, body: '{}' };
    };
    const handlers = Object.fromEntries(ROUTE_GROUPS.map((g) => [g, slow])) as Record<RouteGroup, LambdaHandler>;
    limited.ready({ issuer: new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD }), routes: ROUTES, handlers });
    await new Promise<void>((resolve) => limited.server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}`;
    try {
      // Eight calls of 0.4 s through one slot: the last waits about 2.8 s, past any short wait.
      const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await fetch(`${base}/v1/health`)).status));
      expect(statuses).toEqual(Array(8).fill(200));
      expect(most).toBe(1);
    } finally {
      limited.server.closeAllConnections();
      await new Promise((resolve) => limited.server.close(resolve));
    }
  });
});
