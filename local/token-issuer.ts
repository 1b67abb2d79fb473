/**
 * The local stand-in for the Cognito user pool: an RS256 key kept under `.local/keys/`,
 * its JWKS, and access and ID tokens with the claims Cognito puts in them, so the same
 * CognitoJwtVerifier accepts them.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWSHeaderParameters,
} from 'jose';
import * as z from 'zod/mini';
import { API_SCOPE, GROUPS_CLAIM, ORG_ATTRIBUTE, ORG_CLAIM } from '../functions/config/claims.js';
import type { LocalUserStore } from '../functions/adapters/local-user-store.js';
import { authenticateDemoUser, DEMO_USERS, stableSub, type DemoUser } from './demo-users.js';

export const LOCAL_USER_POOL_ID = 'eu-west-1_Local1';
export const LOCAL_CLIENT_ID = 'local-web-client';
const ALG = 'RS256';
const KEY_FILE = 'signing-key.pem';

/** `https://cognito-idp.<region>.amazonaws.com/<poolId>`, as CognitoJwtVerifier expects. */
export function cognitoIssuer(userPoolId: string): string {
  const region = userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** Public JWK with `kid`, `alg` and `use`, as published in the JWKS. */
  readonly publicJwk: JWK;
  /** The public key as PEM (SPKI), e.g. for attack tests that misuse it as an HMAC secret. */
  readonly publicPem: string;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  return signingKeyFrom(privateKey);
}

/**
 * Loads the key from `<dir>/signing-key.pem`, creating it (mode 0600) on first use, so
 * tokens issued before a restart stay valid after it.
 */
export async function loadOrCreateSigningKey(dir: string): Promise<SigningKey> {
  const file = join(dir, KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    pem = await exportPKCS8(privateKey);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, pem, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  }
  return signingKeyFrom(await importPKCS8(pem, ALG, { extractable: true }));
}

async function signingKeyFrom(privateKey: CryptoKey): Promise<SigningKey> {
  const privateJwk = await exportJWK(privateKey);
  const publicJwk: JWK = { kty: 'RSA', n: privateJwk.n, e: privateJwk.e };
  const kid = await calculateJwkThumbprint(publicJwk);
  const publicPem = createPublicKey({ key: { kty: 'RSA', n: privateJwk.n!, e: privateJwk.e! }, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' }, publicPem };
}

export interface TokenResponse {
  readonly access_token: string;
  readonly id_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}

export const DEFAULT_EXPIRES_IN = 900;
export const MAX_EXPIRES_IN = 3600;

/** Body of `POST /_local/token`. */
export const SignInBody = z.strictObject({
  username: z.string().check(z.minLength(1), z.maxLength(128)),
  password: z.string().check(z.maxLength(256)),
  expiresIn: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_EXPIRES_IN))),
});
export type SignInBody = z.infer<typeof SignInBody>;

export type SignInResult =
  | { readonly ok: true; readonly tokens: TokenResponse }
  | { readonly ok: false; readonly reason: 'invalid-body'; readonly errors: readonly { path: string; message: string }[] }
  | { readonly ok: false; readonly reason: 'bad-credentials' };

export interface TokenIssuerOptions {
  readonly key: SigningKey;
  /** @default LOCAL_USER_POOL_ID */
  readonly userPoolId?: string;
  /** @default LOCAL_CLIENT_ID */
  readonly clientId?: string;
  /** The demo users' password. */
  readonly password: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** The user pool signed in from (seeded demo users and users created through the API); without it, the demo users only. */
  readonly users?: LocalUserStore;
}

export interface TokenOptions {
  /** Seconds. @default DEFAULT_EXPIRES_IN */
  readonly expiresIn?: number;
  /** Claims to add or override (`undefined` removes a claim). */
  readonly claims?: Record<string, unknown>;
}

export class TokenIssuer {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
  private readonly key: SigningKey;
  private readonly password: string;
  private readonly now: () => number;
  private readonly users: LocalUserStore | undefined;

  constructor(options: TokenIssuerOptions) {
    this.key = options.key;
    this.userPoolId = options.userPoolId ?? LOCAL_USER_POOL_ID;
    this.clientId = options.clientId ?? LOCAL_CLIENT_ID;
    this.issuer = cognitoIssuer(this.userPoolId);
    this.password = options.password;
    this.now = options.now ?? Date.now;
    this.users = options.users;
  }

  get kid(): string {
    return this.key.kid;
  }

  get publicPem(): string {
    return this.key.publicPem;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** Claims of a Cognito access token for `user`, before any override. */
  accessClaims(user: DemoUser, expiresIn = DEFAULT_EXPIRES_IN, authTime = this.seconds()): JWTPayload {
    const iat = this.seconds();
    return {
      sub: user.userId ?? stableSub(user.username),
      [GROUPS_CLAIM]: [user.group],
      iss: this.issuer,
      version: 2,
      client_id: this.clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: 'access',
      scope: `${API_SCOPE} openid`,
      auth_time: authTime,
      iat,
      exp: iat + expiresIn,
      jti: randomUUID(),
      username: user.username,
      ...(user.orgId ? { [ORG_CLAIM]: user.orgId } : {}),
    };
  }

  /** Claims of a Cognito ID token for `user`, before any override. */
  idClaims(user: DemoUser, expiresIn = DEFAULT_EXPIRES_IN, authTime = this.seconds()): JWTPayload {
    const iat = this.seconds();
    return {
      sub: user.userId ?? stableSub(user.username),
      [GROUPS_CLAIM]: [user.group],
      iss: this.issuer,
      'cognito:username': user.username,
      origin_jti: randomUUID(),
      aud: this.clientId,
      event_id: randomUUID(),
      token_use: 'id',
      auth_time: authTime,
      iat,
      exp: iat + expiresIn,
      jti: randomUUID(),
      email: user.email ?? `${user.username}@example.com`,
      email_verified: true,
      ...(user.orgId ? { [ORG_ATTRIBUTE]: user.orgId } : {}),
    };
  }

  async accessToken(user: DemoUser, options: TokenOptions = {}): Promise<string> {
    return this.sign(withOverrides(this.accessClaims(user, options.expiresIn), options.claims));
  }

  async idToken(user: DemoUser, options: TokenOptions = {}): Promise<string> {
    return this.sign(withOverrides(this.idClaims(user, options.expiresIn), options.claims));
  }

  /** Signs arbitrary claims with the issuer's key (header `alg`, `kid` unless overridden). */
  async sign(payload: JWTPayload, header: Partial<JWSHeaderParameters> = {}): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid: this.key.kid, ...header }).sign(this.key.privateKey);
  }

  async tokensFor(user: DemoUser, expiresIn = DEFAULT_EXPIRES_IN): Promise<TokenResponse> {
    const authTime = this.seconds();
    const [accessToken, idToken] = await Promise.all([
      this.sign(this.accessClaims(user, expiresIn, authTime)),
      this.sign(this.idClaims(user, expiresIn, authTime)),
    ]);
    return { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: expiresIn };
  }

  /** `POST /_local/token`: validates the parsed JSON body, checks the credentials, issues tokens. */
  async signIn(body: unknown): Promise<SignInResult> {
    const parsed = SignInBody.safeParse(body);
    if (!parsed.success) {
      return {
        ok: false,
        reason: 'invalid-body',
        errors: parsed.error.issues.map((issue) => ({ path: jsonPointer(issue.path), message: issue.message })),
      };
    }
    const user = this.users
      ? await this.users.authenticate(parsed.data.username, parsed.data.password, this.password)
      : authenticateDemoUser(parsed.data.username, parsed.data.password, this.password);
    if (!user) return { ok: false, reason: 'bad-credentials' };
    return { ok: true, tokens: await this.tokensFor(user, parsed.data.expiresIn ?? DEFAULT_EXPIRES_IN) };
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

export function findUser(username: string): DemoUser {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`No demo user ${username}; known: ${DEMO_USERS.map((u) => u.username).join(', ')}`);
  return user;
}

function withOverrides(claims: JWTPayload, overrides: Record<string, unknown> | undefined): JWTPayload {
  if (!overrides) return claims;
  const result: Record<string, unknown> = { ...claims };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result as JWTPayload;
}

function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('') || '/';
}
