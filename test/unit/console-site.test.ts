/** The web console's static files through the local HTTP server: caching, the console's routes, the config, and nothing outside its folder. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteGroup } from '../../functions/api/routes.js';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';
import { ConsoleSite } from '../../local/console-site.js';
import { createLocalHttpServer, type LambdaHandler, type LocalHttpServer } from '../../local/http-server.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';

let http: LocalHttpServer;
let base: string;

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'console-site-'));
  const dir = join(root, 'dist');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'outside');
  const issuer = new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD });
  const site = new ConsoleSite({ dir, config: { authBase: '', clientId: issuer.clientId, scopes: 'openid', apiBase: '' }, connectSources: ['http://127.0.0.1:9999'] });
  http = createLocalHttpServer({ rateLimits: false, logError: () => undefined });
  const handler: LambdaHandler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"from":"handler"}' });
  const handlers = Object.fromEntries(['requests', 'evidence', 'audit', 'public'].map((g) => [g, handler])) as Record<RouteGroup, LambdaHandler>;
  http.ready({ issuer, routes: ROUTES, handlers, console: site });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.server.closeAllConnections();
  await new Promise((resolve) => http.server.close(resolve));
});

describe('the console at /', () => {
  it('serves its page with a strict CSP, never cached without a check', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9999");
    expect(csp).not.toContain('unsafe');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('caches hashed assets for a year and answers a missing one 404', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/assets/index-gone.js`)).status).toBe(404);
  });

  it('answers its own routes with the page, so deep links and reloads work', async () => {
    for (const path of ['/requests/r-1', '/callback?code=x&state=y', '/audit']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('tells the console where to sign in', async () => {
    const response = await fetch(`${base}/config.json`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ authBase: '', apiBase: '', scopes: 'openid', clientId: expect.any(String) });
  });

  it('serves nothing outside its folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%00']) {
      const response = await fetch(`${base}${path}`);
      expect(await response.text(), path).not.toContain('outside');
    }
  });

  it('leaves API paths, any version, to the API', async () => {
    expect(await (await fetch(`${base}/v1/health`)).json()).toEqual({ from: 'handler' });
    const unknown = await fetch(`${base}/v2/requests`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });
});
