/**
 * The local stand-in for Cognito managed login: `GET /oauth2/authorize` (a sign-in page for
 * the local users), `POST /login` (the page's form), `POST /oauth2/token` (authorization_code
 * with PKCE S256, and refresh_token), `POST /oauth2/revoke` and `GET /logout`, with the
 * parameters, answers and error codes of Cognito's endpoints, so the console's sign-in code
 * runs unchanged against both. Codes, sessions and refresh tokens live in memory: a restart
 * signs everyone out, as a new user pool would.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONSOLE_SCOPES } from '../functions/config/claims.js';
import type { DemoUser } from './demo-users.js';
import type { LocalResponse } from './problem.js';
import type { TokenIssuer } from './token-issuer.js';

/** The local users as the sign-in page needs them; the local user store provides it. */
export interface LocalUserDirectory {
  /** The user whose credentials match, or undefined. */
  authenticate(username: string, password: string): DemoUser | undefined | Promise<DemoUser | undefined>;
  /** The user by name, or undefined once removed (a refresh then fails). */
  find(username: string): DemoUser | undefined | Promise<DemoUser | undefined>;
  /** Listed on the sign-in page. */
  list(): readonly DemoUser[] | Promise<readonly DemoUser[]>;
}

export interface AuthorizationServerOptions {
  readonly issuer: TokenIssuer;
  readonly users: LocalUserDirectory;
  /** Exact redirect URIs the web client may use (Cognito's callback URLs). */
  readonly callbackUrls: readonly string[];
  /** Exact URIs `/logout` may send the browser to (Cognito's sign-out URLs). */
  readonly logoutUrls: readonly string[];
  /** Seconds access and ID tokens live. @default 900, as the user pool's web client */
  readonly tokenValidity?: number;
  /** Seconds a refresh token lives. @default 12 hours, as the user pool's web client */
  readonly refreshTokenValidity?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** An authorization code is good for one redemption within this many ms (Cognito: 5 minutes). */
export const CODE_VALIDITY_MS = 5 * 60_000;
const SESSION_COOKIE = 'local-session';
const CSRF_COOKIE = 'XSRF-TOKEN';
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly nonce?: string;
}

interface IssuedCode extends AuthorizationRequest {
  readonly username: string;
  readonly authTime: number;
  readonly expiresAt: number;
  redeemed: boolean;
  /** The refresh token its redemption issued: revoked if the code is presented again. */
  refreshTokenHash?: string;
}

interface RefreshGrant {
  readonly username: string;
  readonly clientId: string;
  readonly scope: string;
  readonly authTime: number;
  readonly expiresAt: number;
  revoked: boolean;
}

export interface OAuthRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export class LocalAuthorizationServer {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly sessions = new Map<string, { username: string; authTime: number }>();
  private readonly now: () => number;
  private readonly tokenValidity: number;
  private readonly refreshTokenValidity: number;

  constructor(private readonly options: AuthorizationServerOptions) {
    this.now = options.now ?? Date.now;
    this.tokenValidity = options.tokenValidity ?? 900;
    this.refreshTokenValidity = options.refreshTokenValidity ?? 12 * 3600;
  }

  /** True for the paths this server answers. */
  static handles(path: string): boolean {
    return path.startsWith('/oauth2/') || path === '/login' || path === '/logout';
  }

  async handle(request: OAuthRequest): Promise<LocalResponse> {
    const allowed: Record<string, string> = { '/oauth2/authorize': 'GET', '/login': 'POST', '/oauth2/token': 'POST', '/oauth2/revoke': 'POST', '/logout': 'GET' };
    const method = allowed[request.path];
    if (!method) return oauthError(404, 'invalid_request', `No endpoint ${request.path}`);
    if (request.method !== method) {
      return { ...oauthError(405, 'invalid_request', `${request.path} does not accept ${request.method}`), headers: { ...JSON_HEADERS, Allow: method } };
    }
    switch (request.path) {
      case '/oauth2/authorize':
        return this.authorize(request);
      case '/login':
        return this.login(request);
      case '/oauth2/token':
        return this.token(request);
      case '/oauth2/revoke':
        return this.revoke(request);
      default:
        return this.logout(request);
    }
  }

  /** `GET /oauth2/authorize`: checks the client and redirect URI, then signs in (a live session) or shows the page. */
  private async authorize(request: OAuthRequest): Promise<LocalResponse> {
    const parsed = this.authorizationRequest(request.query);
    if ('page' in parsed) return parsed.page;
    if ('redirect' in parsed) return parsed.redirect;
    const session = this.session(request.headers);
    if (session && request.query.get('prompt') !== 'login') return this.redirectWithCode(parsed.request, session.username, session.authTime);
    return this.signInPage(parsed.request, 200);
  }

  /** `POST /login`: the sign-in page's form. */
  private async login(request: OAuthRequest): Promise<LocalResponse> {
    if (!isForm(request.headers)) return errorPage(415, 'The sign-in form is sent as application/x-www-form-urlencoded.');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const parsed = this.authorizationRequest(form);
    if ('page' in parsed) return parsed.page;
    if ('redirect' in parsed) return parsed.redirect;
    const csrf = cookies(request.headers)[CSRF_COOKIE];
    if (!csrf || !sameText(csrf, form.get('_csrf') ?? '')) {
      return this.signInPage(parsed.request, 403, 'The sign-in page expired. Try again.');
    }
    const username = form.get('username') ?? '';
    const user = await this.options.users.authenticate(username, form.get('password') ?? '');
    if (!user) return this.signInPage(parsed.request, 401, 'Incorrect username or password.', username);
    const authTime = this.seconds();
    const sessionId = randomToken();
    this.sessions.set(sessionId, { username: user.username, authTime });
    const answer = this.redirectWithCode(parsed.request, user.username, authTime);
    return { ...answer, headers: { ...answer.headers, 'Set-Cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax` } };
  }

  /** `POST /oauth2/token`: `authorization_code` (with `code_verifier`) or `refresh_token`. */
  private async token(request: OAuthRequest): Promise<LocalResponse> {
    if (!isForm(request.headers)) return oauthError(400, 'invalid_request', 'Send the parameters as application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    if (!clientId) return oauthError(400, 'invalid_request', 'client_id is required');
    if (clientId !== this.options.issuer.clientId) return oauthError(400, 'invalid_client', 'Unknown client_id');
    if (grantType === 'authorization_code') return this.redeemCode(form, clientId);
    if (grantType === 'refresh_token') return this.refresh(form, clientId);
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  private async redeemCode(form: URLSearchParams, clientId: string): Promise<LocalResponse> {
    const code = form.get('code');
    const redirectUri = form.get('redirect_uri');
    const verifier = form.get('code_verifier');
    if (!code || !redirectUri || !verifier) return oauthError(400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
    const issued = this.codes.get(hash(code));
    if (!issued || issued.expiresAt <= this.now()) return oauthError(400, 'invalid_grant', 'The code is unknown or expired');
    if (issued.redeemed) {
      // RFC 6749 section 4.1.2: a code presented twice revokes what its first use issued.
      if (issued.refreshTokenHash) this.refreshTokens.get(issued.refreshTokenHash)!.revoked = true;
      return oauthError(400, 'invalid_grant', 'The code was already used');
    }
    // One attempt per code, right or wrong: a verifier cannot be guessed against it.
    issued.redeemed = true;
    if (issued.clientId !== clientId) return oauthError(400, 'invalid_grant', 'The code was issued to another client');
    if (issued.redirectUri !== redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri differs from the one the code was issued for');
    if (!VERIFIER.test(verifier)) return oauthError(400, 'invalid_request', 'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
    if (!sameText(s256(verifier), issued.codeChallenge)) return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    const user = await this.options.users.find(issued.username);
    if (!user) return oauthError(400, 'invalid_grant', 'The user no longer exists');
    const refreshToken = randomToken(48);
    issued.refreshTokenHash = hash(refreshToken);
    this.refreshTokens.set(issued.refreshTokenHash, {
      username: user.username,
      clientId,
      scope: issued.scope,
      authTime: issued.authTime,
      expiresAt: this.now() + this.refreshTokenValidity * 1000,
      revoked: false,
    });
    const tokens = await this.tokens(user, issued.scope, issued.authTime, issued.nonce);
    return tokenAnswer({ ...tokens, refresh_token: refreshToken });
  }

  private async refresh(form: URLSearchParams, clientId: string): Promise<LocalResponse> {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'refresh_token is required');
    const grant = this.refreshTokens.get(hash(refreshToken));
    if (!grant || grant.revoked || grant.expiresAt <= this.now() || grant.clientId !== clientId) {
      return oauthError(400, 'invalid_grant', 'Invalid Refresh Token');
    }
    const user = await this.options.users.find(grant.username);
    if (!user) return oauthError(400, 'invalid_grant', 'Invalid Refresh Token');
    // As Cognito without rotation: new access and ID tokens, the same refresh token.
    return tokenAnswer(await this.tokens(user, grant.scope, grant.authTime));
  }

  /** `POST /oauth2/revoke` (RFC 7009): ends a refresh token; an unknown token is not an error. */
  private async revoke(request: OAuthRequest): Promise<LocalResponse> {
    if (!isForm(request.headers)) return oauthError(400, 'invalid_request', 'Send the parameters as application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const token = form.get('token');
    const clientId = form.get('client_id');
    if (!token || !clientId) return oauthError(400, 'invalid_request', 'token and client_id are required');
    if (clientId !== this.options.issuer.clientId) return oauthError(400, 'invalid_client', 'Unknown client_id');
    const grant = this.refreshTokens.get(hash(token));
    if (grant && grant.clientId !== clientId) return oauthError(400, 'unauthorized_client', 'The token was issued to another client');
    if (grant) grant.revoked = true;
    return { statusCode: 200, headers: {}, body: '' };
  }

  /** `GET /logout?client_id&logout_uri`: ends the sign-in session, then returns to the app. */
  private logout(request: OAuthRequest): LocalResponse {
    const clientId = request.query.get('client_id');
    const logoutUri = request.query.get('logout_uri');
    if (clientId !== this.options.issuer.clientId) return errorPage(400, 'Unknown or missing client_id.');
    if (!logoutUri || !this.options.logoutUrls.includes(logoutUri)) return errorPage(400, 'logout_uri is not a sign-out URL of this client.');
    const sessionId = cookies(request.headers)[SESSION_COOKIE];
    if (sessionId) this.sessions.delete(sessionId);
    return {
      statusCode: 302,
      headers: { Location: logoutUri, 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
      body: '',
    };
  }

  /**
   * The parameters of an authorization request. Without a known client and one of its
   * redirect URIs the answer is a page (never a redirect, RFC 6749 section 4.1.2.1); other
   * mistakes go back to the client as `error` on the redirect URI.
   */
  private authorizationRequest(params: URLSearchParams): { request: AuthorizationRequest } | { page: LocalResponse } | { redirect: LocalResponse } {
    const clientId = params.get('client_id');
    const redirectUri = params.get('redirect_uri');
    if (clientId !== this.options.issuer.clientId) return { page: errorPage(400, 'Unknown or missing client_id.') };
    if (!redirectUri || !this.options.callbackUrls.includes(redirectUri)) return { page: errorPage(400, 'redirect_uri is not a callback URL of this client.') };
    const state = params.get('state') ?? undefined;
    const fail = (error: string, description: string) => ({ redirect: redirectTo(redirectUri, { error, error_description: description, state }) });
    if (params.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (params.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    const codeChallenge = params.get('code_challenge') ?? '';
    if (!CHALLENGE.test(codeChallenge)) return fail('invalid_request', 'code_challenge must be the base64url SHA-256 of the code_verifier');
    const scopes = (params.get('scope') ?? 'openid').split(' ').filter(Boolean);
    if (scopes.some((s) => !(CONSOLE_SCOPES as readonly string[]).includes(s))) return fail('invalid_scope', `scope may hold ${CONSOLE_SCOPES.join(' ')}`);
    const nonce = params.get('nonce') ?? undefined;
    return {
      request: { clientId, redirectUri, scope: scopes.join(' '), codeChallenge, ...(state !== undefined && { state }), ...(nonce !== undefined && { nonce }) },
    };
  }

  private redirectWithCode(request: AuthorizationRequest, username: string, authTime: number): LocalResponse {
    const code = randomToken();
    this.codes.set(hash(code), { ...request, username, authTime, expiresAt: this.now() + CODE_VALIDITY_MS, redeemed: false });
    this.sweep();
    return redirectTo(request.redirectUri, { code, state: request.state });
  }

  private async tokens(user: DemoUser, scope: string, authTime: number, nonce?: string): Promise<Record<string, string | number>> {
    const issuer = this.options.issuer;
    const [accessToken, idToken] = await Promise.all([
      issuer.sign({ ...issuer.accessClaims(user, this.tokenValidity, authTime), scope }),
      issuer.sign({ ...issuer.idClaims(user, this.tokenValidity, authTime), ...(nonce !== undefined && { nonce }) }),
    ]);
    return { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: this.tokenValidity };
  }

  private async signInPage(request: AuthorizationRequest, status: number, message?: string, username = ''): Promise<LocalResponse> {
    const users = await this.options.users.list();
    const csrf = randomToken();
    const hidden = Object.entries({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: request.scope,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      state: request.state,
      nonce: request.nonce,
      _csrf: csrf,
    })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value!)}">`)
      .join('');
    const rows = users.map((u) => `<tr><td>${escapeHtml(u.username)}</td><td>${escapeHtml(u.group)}</td><td>${escapeHtml(u.orgId ?? '–')}</td></tr>`).join('');
    const body = `<main>
<h1>Sign in</h1>
<p>Evidence requests, local sign-in. This page stands in for Cognito managed login.</p>
${message ? `<p role="alert" class="error">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/login">${hidden}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<table><caption>Local users (password: LOCAL_DEMO_PASSWORD, printed by npm start)</caption>
<thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Organisation</th></tr></thead><tbody>${rows}</tbody></table>
</main>`;
    const page = htmlPage('Sign in', body, status);
    return { ...page, headers: { ...page.headers, 'Set-Cookie': `${CSRF_COOKIE}=${csrf}; Path=/login; HttpOnly; SameSite=Strict` } };
  }

  private session(headers: OAuthRequest['headers']): { username: string; authTime: number } | undefined {
    const id = cookies(headers)[SESSION_COOKIE];
    return id ? this.sessions.get(id) : undefined;
  }

  /** Drops expired codes and refresh tokens, so a long-running `npm start` does not grow. */
  private sweep(): void {
    const now = this.now();
    for (const [key, code] of this.codes) if (code.expiresAt <= now) this.codes.delete(key);
    for (const [key, grant] of this.refreshTokens) if (grant.expiresAt <= now) this.refreshTokens.delete(key);
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** base64url(SHA-256(verifier)), the S256 code challenge (RFC 7636 section 4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };
/** The sign-in page needs its own style only: nothing else may load, frame it or receive its form. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}' +
  'label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px}' +
  'button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:4px;cursor:pointer}.error{color:#b91c1c;font-weight:600}' +
  'table{margin-top:2rem;border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #d1d5db}caption{text-align:left;color:#374151;font-size:.9rem}';

function oauthError(status: number, error: string, description: string): LocalResponse {
  return { statusCode: status, headers: JSON_HEADERS, body: JSON.stringify({ error, error_description: description }) };
}

function tokenAnswer(tokens: Record<string, string | number>): LocalResponse {
  return { statusCode: 200, headers: { ...JSON_HEADERS, Pragma: 'no-cache' }, body: JSON.stringify(tokens) };
}

function redirectTo(uri: string, params: Record<string, string | undefined>): LocalResponse {
  const target = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(name, value);
  return { statusCode: 302, headers: { Location: target.toString() }, body: '' };
}

function htmlPage(title: string, main: string, status: number): LocalResponse {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${main}</body></html>`;
  return {
    statusCode: status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': PAGE_CSP, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' },
    body,
  };
}

function errorPage(status: number, message: string): LocalResponse {
  return htmlPage('Sign-in error', `<main><h1>Sign-in error</h1><p role="alert" class="error">${escapeHtml(message)}</p></main>`, status);
}

function isForm(headers: OAuthRequest['headers']): boolean {
  const type = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

function cookies(headers: OAuthRequest['headers']): Record<string, string> {
  const header = headers.cookie;
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  const result: Record<string, string> = {};
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) result[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return result;
}

function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Codes and refresh tokens are kept only as hashes. */
function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
