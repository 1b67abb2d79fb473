/**
 * Every answer the local HTTP server gives itself, not a Lambda handler's, is problem+json
 * with X-Request-Id, Cache-Control: no-store and X-Content-Type-Options: nosniff, requests
 * Node's parser refuses included. Sent over raw sockets so nothing smooths the bytes.
 */
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteGroup } from '../../functions/api/routes.js';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';
import { createLocalHttpServer, type LambdaHandler, type LocalHttpServer } from '../../local/http-server.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const servers: LocalHttpServer[] = [];
let port: number;
let issuer: TokenIssuer;

async function startServer(options: Parameters<typeof createLocalHttpServer>[0] = {}): Promise<number> {
  const http = createLocalHttpServer({ logError: () => undefined, ...options });
  const handler: LambdaHandler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const handlers = Object.fromEntries(['requests', 'evidence', 'audit', 'public'].map((g) => [g, handler])) as Record<RouteGroup, LambdaHandler>;
  http.ready({ issuer, routes: ROUTES, handlers });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  servers.push(http);
  return (http.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  issuer = new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD });
  port = await startServer({ rateLimits: false });
});
afterAll(async () => {
  for (const { server } of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Writes `request` as bytes, reads until the server closes or one whole answer arrived. */
function rawExchange(request: string | Buffer, to = port): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return false;
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? NaN);
      const body = Buffer.from(text.slice(split + 4), 'latin1');
      if (Number.isFinite(length) && body.length < length) return false;
      socket.destroy();
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') });
      return true;
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('end', () => finish() || reject(new Error(`incomplete answer: ${Buffer.concat(chunks).toString('latin1')}`)));
    socket.on('error', (error) => finish() || reject(error));
    socket.write(request);
  });
}

function expectOwnProblem(answer: RawAnswer, status: number, code?: string): Record<string, unknown> {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String), correlationId: answer.headers['x-request-id'] });
  if (code) expect(body.type).toBe(`urn:evidence-requests:problem:${code}`);
  return body;
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

describe('answers Node refuses before any handler', () => {
  it('answers headers past the size limit with 431', async () => {
    expectOwnProblem(await rawExchange(get('/v1/health', `X-Padding: ${'a'.repeat(20_000)}\r\n`)), 431, 'headers-too-large');
  });

  it('answers a body framed by both Content-Length and Transfer-Encoding with 400', async () => {
    const smuggle = 'POST /v1/requests HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expectOwnProblem(await rawExchange(smuggle), 400, 'malformed-request');
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['a Content-Length that is not a number', 'POST /v1/requests HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1x\r\n\r\n'],
    ['two different Content-Lengths', 'POST /v1/requests HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
  ])('answers %s with 400', async (_name, bytes) => {
    expectOwnProblem(await rawExchange(bytes), 400, 'malformed-request');
  });
});

describe('answers the adapter gives itself', () => {
  it('answers a body past the limit with 413, whether declared or streamed', async () => {
    const declared = `POST /v1/evidence HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024 + 1}\r\nConnection: close\r\n\r\n`;
    expectOwnProblem(await rawExchange(declared), 413, 'payload-too-large');
    const chunk = 'a'.repeat(64 * 1024);
    const chunks = Array.from({ length: 17 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const streamed = `POST /v1/evidence HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`;
    expectOwnProblem(await rawExchange(streamed), 413, 'payload-too-large');
  });

  it.each(['/v1/no-such-thing', '/_local/no-such-thing', '/oauth2/authorize', '/'])('answers an unknown path %s with 404', async (path) => {
    expectOwnProblem(await rawExchange(get(path)), 404, 'no-route');
  });

  it.each([
    ['/v1/health', 'DELETE', 'GET'],
    ['/_local/token', 'GET', 'POST'],
    ['/_local/jwks.json', 'POST', 'GET'],
  ])('answers %s with 405 and Allow to a %s', async (path, method, allow) => {
    const answer = await rawExchange(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expectOwnProblem(answer, 405, 'method-not-allowed');
    expect(answer.headers['allow']).toBe(allow);
  });

  it('answers 400 and 401 of the token issuer as problem+json', async () => {
    const post = (body: string) =>
      `POST /_local/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    expectOwnProblem(await rawExchange(post('{not json')), 400, 'invalid-input');
    expectOwnProblem(await rawExchange(post(JSON.stringify({ username: 'buyer1', password: 'wrong' }))), 401, 'bad-credentials');
  });

  it('serves the JWKS with its own caching, and nosniff', async () => {
    const answer = await rawExchange(get('/_local/jwks.json'));
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('public, max-age=300');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers past the rate limit with 429 and Retry-After', async () => {
    const limited = await startServer({ rateLimits: { perUser: { ratePerSecond: 1, burst: 1 }, perAddress: { ratePerSecond: 1, burst: 1 } } });
    expect((await rawExchange(get('/v1/health'), limited)).status).toBe(200);
    const answer = await rawExchange(get('/v1/health'), limited);
    expectOwnProblem(answer, 429, 'rate-limited');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
