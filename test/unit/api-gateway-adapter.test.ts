import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/routes.js';
import { isProxyResult, lambdaContext, matchRoute, resultHeaders, toProxyEvent } from '../../local/api-gateway-adapter.js';

describe('matchRoute', () => {
  it('matches a literal path', () => {
    const match = matchRoute(ROUTES, 'GET', '/v1/health');
    expect(match).toMatchObject({ kind: 'route', route: { group: 'public', path: '/v1/health' }, pathParameters: {} });
  });

  it('extracts and percent-decodes path parameters', () => {
    const match = matchRoute(ROUTES, 'POST', '/v1/requests/r%201/items/i-2/fulfill');
    expect(match).toMatchObject({ kind: 'route', route: { operation: 'fulfilItem' }, pathParameters: { requestId: 'r 1', itemId: 'i-2' } });
  });

  it('prefers a literal segment over a parameter', () => {
    expect(matchRoute(ROUTES, 'GET', '/v1/factory/requests')).toMatchObject({ kind: 'route', route: { operation: 'listFactoryRequests' } });
  });

  it('lists the allowed methods of a known path', () => {
    expect(matchRoute(ROUTES, 'DELETE', '/v1/requests')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'POST'] });
    expect(matchRoute(ROUTES, 'POST', '/v1/health')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(matchRoute(ROUTES, 'HEAD', '/v1/evidence/e1')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
  });

  it.each(['/', '/v1', '/v1/health/', '/v1/requests//history', '/V1/health', '/v1/nothing', 'http://x/v1/health'])(
    'finds no route for %j',
    (path) => {
      expect(matchRoute(ROUTES, 'GET', path)).toEqual({ kind: 'not-found' });
    },
  );

  it('flags broken percent-encoding', () => {
    expect(matchRoute(ROUTES, 'GET', '/v1/requests/%E0%A4%A')).toEqual({ kind: 'bad-path' });
  });
});

describe('toProxyEvent', () => {
  const route = ROUTES.find((r) => r.path === '/v1/requests/{requestId}' && r.method === 'GET')!;
  const now = new Date('2026-11-22T10:00:00.000Z');
  const event = toProxyEvent({
    request: {
      method: 'GET',
      url: '/v1/requests/r1?limit=5&status=OPEN&status=IN_PROGRESS&q=a%20b',
      rawHeaders: ['Host', '127.0.0.1:3000', 'Authorization', 'Bearer t', 'X-Multi', 'a', 'X-Multi', 'b', 'User-Agent', 'curl/8'],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      host: '127.0.0.1:3000',
    },
    route,
    pathParameters: { requestId: 'r1' },
    requestId: 'req-1',
    now,
  });

  it('carries the resource, path, method and parameters', () => {
    expect(event).toMatchObject({
      resource: '/v1/requests/{requestId}',
      path: '/v1/requests/r1',
      httpMethod: 'GET',
      pathParameters: { requestId: 'r1' },
      queryStringParameters: { limit: '5', status: 'IN_PROGRESS', q: 'a b' },
      multiValueQueryStringParameters: { limit: ['5'], status: ['OPEN', 'IN_PROGRESS'], q: ['a b'] },
      body: null,
      isBase64Encoded: false,
      stageVariables: null,
    });
  });

  it('keeps header casing, last value single, all values multi', () => {
    expect(event.headers).toMatchObject({ Authorization: 'Bearer t', 'X-Multi': 'b' });
    expect(event.multiValueHeaders).toMatchObject({ 'X-Multi': ['a', 'b'] });
  });

  it('fills the request context', () => {
    expect(event.requestContext).toMatchObject({
      requestId: 'req-1',
      resourcePath: '/v1/requests/{requestId}',
      httpMethod: 'GET',
      path: '/local/v1/requests/r1',
      stage: 'local',
      requestTimeEpoch: now.getTime(),
      requestTime: '22/Nov/2026:10:00:00 +0000',
      identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8' },
    });
  });

  it('passes no query and the body as text', () => {
    const post = toProxyEvent({
      request: { method: 'POST', url: '/v1/requests', rawHeaders: [], body: Buffer.from('{"a":"é"}'), sourceIp: '::1', host: 'h' },
      route: ROUTES.find((r) => r.operation === 'createRequest')!,
      pathParameters: {},
      requestId: 'x',
      now,
    });
    expect(post).toMatchObject({ queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, body: '{"a":"é"}' });
    expect(post.requestContext.identity.userAgent).toBeNull();
  });
});

describe('lambda results', () => {
  it('merges headers and multiValueHeaders as API Gateway does', () => {
    expect(resultHeaders({ statusCode: 200, body: '', headers: { A: '1', B: 2 }, multiValueHeaders: { B: ['x', 'y'] } })).toEqual({
      A: '1',
      B: ['x', 'y'],
    });
  });

  it('recognises a well-formed result', () => {
    expect(isProxyResult({ statusCode: 204 })).toBe(true);
    expect(isProxyResult({ statusCode: 200, body: '{}' })).toBe(true);
    expect(isProxyResult({ statusCode: '200', body: '' })).toBe(false);
    expect(isProxyResult({ statusCode: 200, body: {} })).toBe(false);
    expect(isProxyResult(undefined)).toBe(false);
  });

  it('gives a context that counts down', () => {
    const context = lambdaContext('requests', 1_000, Date.now() - 400);
    expect(context.functionName).toBe('requests');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(600);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });
});
