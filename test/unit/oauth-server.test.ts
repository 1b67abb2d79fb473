/**
 * The local managed-login endpoints through the local HTTP server, as a browser and the
 * console's sign-in code use them: the sign-in page, the authorization code with PKCE S256,
 * refresh, revoke and logout, and every refusal Cognito gives.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteGroup } from '../../functions/api/routes.js';
import { createAccessTokenVerifier } from '../../functions/adapters/cognito-token-verifier.js';
import { API_SCOPE } from '../../functions/config/claims.js';
import { authenticateDemoUser, DEFAULT_DEMO_PASSWORD, DEMO_USERS, findDemoUser } from '../../local/demo-users.js';
import { createLocalHttpServer, type LambdaHandler, type LocalHttpServer } from '../../local/http-server.js';
import { CODE_VALIDITY_MS, LocalAuthorizationServer, s256 } from '../../local/oauth-server.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';

let http: LocalHttpServer;
let base: string;
let issuer: TokenIssuer;
let clock = Date.now();
const CALLBACK = 'http://app.test/callback';
const SIGNED_OUT = 'http://app.test/';

beforeAll(async () => {
  issuer = new TokenIssuer({ key: await generateSigningKey(), password: DEFAULT_DEMO_PASSWORD });
  const oauth = new LocalAuthorizationServer({
    issuer,
    users: { authenticate: (u, p) => authenticateDemoUser(u, p, DEFAULT_DEMO_PASSWORD), find: findDemoUser, list: () => DEMO_USERS },
    callbackUrls: [CALLBACK],
    logoutUrls: [SIGNED_OUT],
    now: () => clock,
  });
  http = createLocalHttpServer({ rateLimits: false, logError: () => undefined });
  const handler: LambdaHandler = async () => ({ statusCode: 200, body: '{}' });
  const handlers = Object.fromEntries(['requests', 'evidence', 'audit', 'public'].map((g) => [g, handler])) as Record<RouteGroup, LambdaHandler>;
  http.ready({ issuer, oauth, routes: ROUTES, handlers });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.server.closeAllConnections();
  await new Promise((resolve) => http.server.close(resolve));
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeParams(challenge: string, extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    response_type: 'code',
    client_id: issuer.clientId,
    redirect_uri: CALLBACK,
    scope: `openid ${API_SCOPE}`,
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** The sign-in page's hidden fields and the CSRF cookie it set. */
async function openSignInPage(params: URLSearchParams, cookie = ''): Promise<{ response: Response; fields: URLSearchParams; cookie: string; html: string }> {
  const response = await fetch(`${base}/oauth2/authorize?${params}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const html = await response.text();
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(match[1]!, match[2]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))));
  }
  const csrf = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { response, fields, cookie: csrf, html };
}

async function submitSignIn(username: string, password: string, params: URLSearchParams): Promise<Response> {
  const page = await openSignInPage(params);
  page.fields.set('username', username);
  page.fields.set('password', password);
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie },
    body: page.fields,
  });
}

/** Signs `username` in through the page: the code from the redirect, the session cookie, the verifier. */
async function codeFor(username: string, extra: Record<string, string> = {}): Promise<{ code: string; verifier: string; session: string }> {
  const { verifier, challenge } = pkce();
  const response = await submitSignIn(username, DEFAULT_DEMO_PASSWORD, authorizeParams(challenge, extra));
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  expect(location.searchParams.get('state')).toBe('state-123');
  return { code: location.searchParams.get('code')!, verifier, session: (response.headers.get('set-cookie') ?? '').split(';')[0]! };
}

function token(params: Record<string, string>, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': contentType }, body: new URLSearchParams(params) });
}

function redeem(code: string, verifier: string, overrides: Record<string, string> = {}): Promise<Response> {
  return token({ grant_type: 'authorization_code', client_id: issuer.clientId, code, redirect_uri: CALLBACK, code_verifier: verifier, ...overrides });
}

async function expectOAuthError(response: Response, error: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(await response.json()).toMatchObject({ error });
}

describe('GET /oauth2/authorize', () => {
  it('shows a sign-in page listing the local users, locked down by its CSP', async () => {
    const page = await openSignInPage(authorizeParams(pkce().challenge));
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.response.headers.get('x-request-id')).toBeTruthy();
    for (const user of DEMO_USERS) expect(page.html).toContain(`<td>${user.username}</td>`);
    expect(page.html).toContain('<label for="username">');
    expect(page.fields.get('redirect_uri')).toBe(CALLBACK);
    expect(page.fields.get('_csrf')).toBe(page.cookie.split('=')[1]);
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client: an error page instead', async () => {
    const challenge = pkce().challenge;
    for (const params of [authorizeParams(challenge, { redirect_uri: 'http://evil.test/callback' }), authorizeParams(challenge, { client_id: 'other' })]) {
      const response = await fetch(`${base}/oauth2/authorize?${params}`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('role="alert"');
    }
  });

  it('sends other mistakes back to the client as error on the redirect URI, with the state', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'openid admin:everything' }, 'invalid_scope'],
    ];
    for (const [extra, error] of cases) {
      const response = await fetch(`${base}/oauth2/authorize?${authorizeParams(pkce().challenge, extra)}`, { redirect: 'manual' });
      expect(response.status, JSON.stringify(extra)).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('state-123');
      expect(location.searchParams.get('code')).toBeNull();
    }
  });
});

describe('POST /login (the sign-in form)', () => {
  it('refuses a wrong password on the page itself, keeping the username', async () => {
    const response = await submitSignIn('buyer1', 'wrong', authorizeParams(pkce().challenge));
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('Incorrect username or password.');
    expect(html).toContain('value="buyer1"');
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a form without the page\'s CSRF cookie', async () => {
    const page = await openSignInPage(authorizeParams(pkce().challenge));
    page.fields.set('username', 'buyer1');
    page.fields.set('password', DEFAULT_DEMO_PASSWORD);
    const response = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: page.fields });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('POST /oauth2/token, authorization_code', () => {
  it('exchanges a code and its verifier for Cognito-shaped tokens the API verifier accepts', async () => {
    const { code, verifier } = await codeFor('factory1', { nonce: 'n-1' });
    const response = await redeem(code, verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const tokens = (await response.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String) });
    const verifierOfApi = createAccessTokenVerifier({ userPoolId: issuer.userPoolId, clientIds: [issuer.clientId], jwksUri: `${base}/_local/jwks.json` });
    const claims = await verifierOfApi.verify(tokens.access_token as string);
    expect(claims).toMatchObject({ username: 'factory1', groups: ['factory'], orgId: 'F001', scope: `openid ${API_SCOPE}` });
    const idClaims = JSON.parse(Buffer.from((tokens.id_token as string).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(idClaims).toMatchObject({ token_use: 'id', nonce: 'n-1', 'cognito:username': 'factory1', aud: issuer.clientId });
  });

  it('refuses a verifier that does not match the challenge, and burns the code', async () => {
    const { code, verifier } = await codeFor('buyer1');
    await expectOAuthError(await redeem(code, pkce().verifier), 'invalid_grant');
    await expectOAuthError(await redeem(code, verifier), 'invalid_grant');
  });

  it('refuses a code used twice and revokes the refresh token its first use issued', async () => {
    const { code, verifier } = await codeFor('buyer1');
    const first = (await (await redeem(code, verifier)).json()) as { refresh_token: string };
    await expectOAuthError(await redeem(code, verifier), 'invalid_grant');
    await expectOAuthError(await token({ grant_type: 'refresh_token', client_id: issuer.clientId, refresh_token: first.refresh_token }), 'invalid_grant');
  });

  it('refuses a redirect_uri other than the one the code was issued for', async () => {
    const { code, verifier } = await codeFor('buyer1');
    await expectOAuthError(await redeem(code, verifier, { redirect_uri: 'http://app.test/other' }), 'invalid_grant');
  });

  it('refuses an expired code, another client, a missing verifier, an unknown grant and a JSON body', async () => {
    const expired = await codeFor('buyer1');
    clock += CODE_VALIDITY_MS;
    try {
      await expectOAuthError(await redeem(expired.code, expired.verifier), 'invalid_grant');
    } finally {
      clock -= CODE_VALIDITY_MS;
    }
    const other = await codeFor('buyer1');
    await expectOAuthError(await redeem(other.code, other.verifier, { client_id: 'other-client' }), 'invalid_client');
    const missing = await codeFor('buyer1');
    await expectOAuthError(await redeem(missing.code, ''), 'invalid_request');
    await expectOAuthError(await token({ grant_type: 'password', client_id: issuer.clientId }), 'unsupported_grant_type');
    await expectOAuthError(await token({ grant_type: 'authorization_code' }, 'application/json'), 'invalid_request');
  });

  it('checks the S256 transform of RFC 7636 appendix B', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('POST /oauth2/token, refresh_token, and POST /oauth2/revoke', () => {
  it('refreshes access and ID tokens until the refresh token is revoked', async () => {
    const { code, verifier } = await codeFor('auditor1');
    const first = (await (await redeem(code, verifier)).json()) as { access_token: string; refresh_token: string };
    const refresh = () => token({ grant_type: 'refresh_token', client_id: issuer.clientId, refresh_token: first.refresh_token });
    const refreshed = await refresh();
    expect(refreshed.status).toBe(200);
    const tokens = (await refreshed.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900, access_token: expect.any(String), id_token: expect.any(String) });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.access_token).not.toBe(first.access_token);

    await expectOAuthError(await token({ grant_type: 'refresh_token', client_id: issuer.clientId, refresh_token: 'not-a-token' }), 'invalid_grant');
    const revoke = await fetch(`${base}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: first.refresh_token, client_id: issuer.clientId }),
    });
    expect(revoke.status).toBe(200);
    await expectOAuthError(await refresh(), 'invalid_grant');
  });
});

describe('sessions and GET /logout', () => {
  it('signs a returning browser in at once, and asks again after logout', async () => {
    const { session } = await codeFor('buyer2');
    const again = await fetch(`${base}/oauth2/authorize?${authorizeParams(pkce().challenge)}`, { redirect: 'manual', headers: { cookie: session } });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    const logout = await fetch(`${base}/logout?${new URLSearchParams({ client_id: issuer.clientId, logout_uri: SIGNED_OUT })}`, { redirect: 'manual', headers: { cookie: session } });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe(SIGNED_OUT);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    const afterLogout = await openSignInPage(authorizeParams(pkce().challenge), session);
    expect(afterLogout.response.status).toBe(200);
  });

  it('refuses a logout_uri that is not registered', async () => {
    const response = await fetch(`${base}/logout?${new URLSearchParams({ client_id: issuer.clientId, logout_uri: 'http://evil.test/' })}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('answers other methods with 405 and Allow', async () => {
    const response = await fetch(`${base}/oauth2/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
