/**
 * Sign-in with the OAuth 2.0 authorization code and PKCE (S256), against Cognito managed login
 * in AWS and the local issuer's identical endpoints.
 *
 * Where the tokens live: the access, ID and refresh tokens stay in this module's memory only,
 * never in localStorage, sessionStorage or a cookie the page can read, so an injected script
 * cannot lift a long-lived refresh token from storage and nothing outlives the tab. A reload or
 * a new tab signs in again through the authorization endpoint, which answers at once while the
 * managed-login session lasts. Only the PKCE verifier and `state` of a sign-in under way wait
 * in sessionStorage for the redirect back, and are deleted when it arrives.
 */
import type { ConsoleConfig } from '../config';

interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

interface PendingSignIn {
  readonly verifier: string;
  readonly state: string;
  readonly returnTo: string;
}

const PENDING_KEY = 'evidence-console.pending-sign-in';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;
let tokens: Tokens | undefined;
let refreshing: Promise<Tokens | undefined> | undefined;

export const CALLBACK_PATH = '/callback';

function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

function randomString(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function codeChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Sends the browser to the authorization endpoint; it comes back to /callback. */
export async function startSignIn(config: ConsoleConfig, returnTo = location.pathname + location.search): Promise<never> {
  const pending: PendingSignIn = { verifier: randomString(48), state: randomString(16), returnTo: returnTo.startsWith(CALLBACK_PATH) ? '/' : returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes,
    state: pending.state,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${config.authBase}/oauth2/authorize?${params}`);
  return new Promise<never>(() => undefined);
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/**
 * At /callback: checks `state`, redeems the code with the verifier; returns where to go next.
 * A callback this tab did not start (a reload of /callback, a bookmarked one) starts a fresh
 * sign-in instead: its code is useless without the verifier.
 */
export async function completeSignIn(config: ConsoleConfig, url = new URL(location.href)): Promise<string> {
  const saved = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = url.searchParams.get('error');
  if (error) throw new SignInError(`Sign-in failed: ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}`);
  if (!saved) return startSignIn(config, '/');
  const pending = JSON.parse(saved) as PendingSignIn;
  if (url.searchParams.get('state') !== pending.state) throw new SignInError('The sign-in answer does not belong to this tab (state mismatch); sign in again.');
  const code = url.searchParams.get('code');
  if (!code) throw new SignInError('The sign-in answer carries no code.');
  tokens = await tokenRequest(config, { grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: redirectUri(), code_verifier: pending.verifier });
  return pending.returnTo;
}

async function tokenRequest(config: ConsoleConfig, form: Record<string, string>, previous?: Tokens): Promise<Tokens> {
  const response = await fetch(`${config.authBase}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new SignInError(`The token endpoint refused: ${String(body.error ?? response.status)}${body.error_description ? ` (${String(body.error_description)})` : ''}`);
  }
  const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : previous?.refreshToken;
  return {
    accessToken: body.access_token,
    idToken: String(body.id_token ?? ''),
    ...(refreshToken && { refreshToken }),
    expiresAt: Date.now() + Number(body.expires_in ?? 900) * 1000,
  };
}

export function isSignedIn(): boolean {
  return tokens !== undefined;
}

/** A valid access token, refreshed when close to expiry; undefined when the user must sign in again. */
export async function accessToken(config: ConsoleConfig, force = false): Promise<string | undefined> {
  if (!tokens) return undefined;
  if (!force && tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) return tokens.accessToken;
  const current = tokens;
  if (!current.refreshToken) return undefined;
  refreshing ??= tokenRequest(config, { grant_type: 'refresh_token', client_id: config.clientId, refresh_token: current.refreshToken }, current)
    .then((fresh) => (tokens = fresh))
    .catch(() => (tokens = undefined))
    .finally(() => (refreshing = undefined));
  return (await refreshing)?.accessToken;
}

/** Revokes the refresh token, forgets every token, and ends the managed-login session. */
export async function signOut(config: ConsoleConfig): Promise<never> {
  const current = tokens;
  tokens = undefined;
  if (current?.refreshToken) {
    await fetch(`${config.authBase}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: current.refreshToken, client_id: config.clientId }),
    }).catch(() => undefined);
  }
  const params = new URLSearchParams({ client_id: config.clientId, logout_uri: `${location.origin}/` });
  location.assign(`${config.authBase}/logout?${params}`);
  return new Promise<never>(() => undefined);
}
