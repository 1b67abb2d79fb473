/** The local runtime's token buckets, with a hand-driven clock and low limits. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../lib/stages.js';
import { ApiRateLimiter, rateLimitUserKey, TokenBuckets } from '../../local/rate-limiter.js';

const jwt = (claims: Record<string, unknown>) => `Bearer x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('TokenBuckets', () => {
  it('allows the burst at once, then the steady rate', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 5 });
    const t = 1_000_000;
    expect(Array.from({ length: 6 }, () => buckets.take('a', t))).toEqual([true, true, true, true, true, false]);
    expect(buckets.wait('a', t)).toBeCloseTo(0.5);
    expect(buckets.take('a', t + 499)).toBe(false);
    expect(buckets.take('a', t + 1_000)).toBe(true);
    expect(buckets.take('b', t)).toBe(true); // another key has its own bucket
  });

  it('never holds more than the burst, however long it waited', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 3 });
    buckets.take('a', 0);
    const later = 3_600_000;
    expect(Array.from({ length: 4 }, () => buckets.take('a', later))).toEqual([true, true, true, false]);
  });

  it('keeps at most maxKeys buckets', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 2 }, 100);
    for (let i = 0; i < 1_000; i++) buckets.take(`k${i}`, 0);
    expect(buckets.size).toBeLessThanOrEqual(101);
  });
});

describe('rateLimitUserKey', () => {
  it('keys by the unverified sub claim, or a hash of a token without one, and nothing without a bearer token', () => {
    expect(rateLimitUserKey(jwt({ sub: 'u-1' }))).toBe('sub:u-1');
    expect(rateLimitUserKey('Bearer opaque-token')).toMatch(/^token:[0-9a-f]{64}$/);
    expect(rateLimitUserKey(jwt({ nosub: 1 }))).toMatch(/^token:/);
    expect(rateLimitUserKey(undefined)).toBeUndefined();
    expect(rateLimitUserKey('Basic dXNlcjpwYXNz')).toBeUndefined();
  });
});

describe('ApiRateLimiter', () => {
  const limits = { perUser: { ratePerSecond: 1, burst: 2 }, perAddress: { ratePerSecond: 1, burst: 3 } };

  it('refuses a user past its bucket with a whole-second Retry-After', () => {
    const limiter = new ApiRateLimiter(limits);
    const alice = jwt({ sub: 'alice' });
    expect(limiter.check(alice, '10.0.0.1', 0)).toBeUndefined();
    expect(limiter.check(alice, '10.0.0.2', 0)).toBeUndefined();
    expect(limiter.check(alice, '10.0.0.3', 0)).toEqual({ limit: 'perUser', retryAfterSeconds: 1 });
    expect(limiter.check(jwt({ sub: 'bob' }), '10.0.0.1', 0)).toBeUndefined();
    expect(limiter.check(alice, '10.0.0.1', 1_000)).toBeUndefined();
  });

  it('refuses an address past its bucket, whoever the users are, and anonymous calls too', () => {
    const limiter = new ApiRateLimiter(limits);
    for (const user of ['a', 'b', 'c']) expect(limiter.check(jwt({ sub: user }), '10.0.0.9', 0)).toBeUndefined();
    expect(limiter.check(jwt({ sub: 'd' }), '10.0.0.9', 0)).toEqual({ limit: 'perAddress', retryAfterSeconds: 1 });
    expect(limiter.check(undefined, '10.0.0.9', 0)?.limit).toBe('perAddress');
    expect(limiter.check(undefined, '10.0.0.8', 0)).toBeUndefined();
  });

  it('with the contract defaults, allows 200 at once per user and 50 a second after', () => {
    const limiter = new ApiRateLimiter(DEFAULT_RATE_LIMITS);
    const user = jwt({ sub: 'busy' });
    let allowed = 0;
    for (let i = 0; i < 300; i++) if (!limiter.check(user, '10.1.1.1', 0)) allowed++;
    expect(allowed).toBe(200);
    allowed = 0;
    for (let i = 0; i < 100; i++) if (!limiter.check(user, '10.1.1.1', 1_000)) allowed++;
    expect(allowed).toBe(50);
  });
});

describe('the local HTTP server with low limits', () => {
  it('answers 429 problem+json with Retry-After before any handler runs', async () => {
    const { createLocalHttpServer } = await import('../../local/http-server.js');
    const { generateSigningKey, TokenIssuer } = await import('../../local/token-issuer.js');
    const { ROUTES } = await import('../../functions/api/routes.js');
    const { freePort } = await import('../../local/net.js');
    let handled = 0;
    const handler = async () => {
      handled += 1;
      return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' };
    };
    // Refill rates so low that the test's own pace cannot refill a bucket.
    const http = createLocalHttpServer({ rateLimits: { perUser: { ratePerSecond: 0.01, burst: 2 }, perAddress: { ratePerSecond: 0.01, burst: 3 } } });
    http.ready({ issuer: new TokenIssuer({ key: await generateSigningKey(), password: 'x' }), routes: ROUTES, handlers: { requests: handler, evidence: handler, audit: handler, public: handler, notifications: handler, directory: handler, packs: handler } });
    const port = await freePort();
    await new Promise<void>((resolve) => http.server.listen(port, '127.0.0.1', resolve));
    try {
      const get = (token: string) => fetch(`http://127.0.0.1:${port}/v1/requests`, { headers: { Authorization: token } });
      const alice = jwt({ sub: 'alice' });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(alice)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await get(alice);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(90);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('x-request-id')).toBeTruthy();
      expect(await refused.json()).toMatchObject({ status: 429, correlationId: refused.headers.get('x-request-id') });
      expect(handled).toBe(2);
      // The address still has tokens for another user; then it runs dry too.
      expect((await get(jwt({ sub: 'bob' }))).status).toBe(200);
      expect((await get(jwt({ sub: 'carol' }))).status).toBe(429);
      expect(handled).toBe(3);
    } finally {
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
    }
  });
});
