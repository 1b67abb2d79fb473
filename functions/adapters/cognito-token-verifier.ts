/**
 * Verifies Cognito access tokens (RS256, issuer, client id, token_use, scope, expiry) with
 * aws-jwt-verify. Create the verifier once at module scope so its JWKS cache stays warm
 * across invocations.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { API_SCOPE, GROUPS_CLAIM, ORG_CLAIM, USERNAME_CLAIM } from '../config/claims.js';
import { InvalidTokenError } from '../core/errors.js';

/** Every reason a token is refused (malformed, badly signed, expired, wrong issuer/client/use) is this one class of the core hierarchy. */
export { InvalidTokenError };

/** What the rest of the code may know about a verified access token. */
export interface AccessTokenClaims {
  /** The Cognito user's immutable id (`sub`). */
  readonly sub: string;
  readonly username: string;
  /** `cognito:groups`; empty when the user is in no group. */
  readonly groups: readonly string[];
  /** The organisation claim (ORG_CLAIM), absent for users without an organisation. */
  readonly orgId?: string;
  readonly clientId: string;
  readonly scope?: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Issued at, epoch seconds: tokens issued at or before a change of their user or organisation are refused. */
  readonly iat: number;
}

export interface AccessTokenVerifierOptions {
  /** e.g. `eu-west-1_AbCdEf123`; the issuer is derived from it. */
  readonly userPoolId: string;
  /** App client ids whose access tokens are accepted (at least one). */
  readonly clientIds: readonly string[];
  /**
   * Fetch the user pool's JWKS from this address instead of Cognito's (local runtime and
   * tests). Plain http is allowed on loopback only.
   * @default Cognito's `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
  /**
   * Scope the token must carry, as API Gateway's authorizer requires; `null` turns the check off.
   * @default API_SCOPE
   */
  readonly requiredScope?: string | null;
}

export interface AccessTokenVerifier {
  /** Resolves to the claims of a valid access token; rejects with InvalidTokenError otherwise. */
  verify(token: string): Promise<AccessTokenClaims>;
}

const JWKS_FETCH_TIMEOUT_MS = 3_000;
/** Verified tokens remembered per container: a client sends the same token many times until it expires. */
const VERIFIED_CACHE_SIZE = 1_000;

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  if (options.clientIds.length === 0) {
    throw new Error('createAccessTokenVerifier: clientIds is empty; pass the app client ids whose tokens the API accepts');
  }
  const requiredScope = options.requiredScope === undefined ? API_SCOPE : options.requiredScope;
  const properties = {
    userPoolId: options.userPoolId,
    tokenUse: 'access' as const,
    clientId: [...options.clientIds],
    ...(requiredScope ? { scope: requiredScope } : {}),
    // Cognito signs with RS256 only; refuse any other algorithm the library would accept.
    customJwtCheck: ({ header }: { header: { alg?: unknown } }) => {
      if (header.alg !== 'RS256') throw new Error(`Unexpected token algorithm ${String(header.alg)}`);
    },
  };
  const verifier = options.jwksUri
    ? CognitoJwtVerifier.create(properties, {
        jwksCache: new SimpleJwksCache({
          fetcher: new FixedUriFetcher(options.jwksUri),
          penaltyBox: new SimplePenaltyBox({ waitSeconds: 10 }),
        }),
      })
    : CognitoJwtVerifier.create(properties);

  // The claims of a token never change and its signature was checked: a warm container skips
  // the RS256 verification for a token it has already accepted, but never past its expiry.
  const verified = new Map<string, AccessTokenClaims>();
  return {
    async verify(token: string): Promise<AccessTokenClaims> {
      const known = verified.get(token);
      if (known && known.exp * 1000 > Date.now()) return known;
      verified.delete(token);
      let payload: JwtPayload;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        throw new InvalidTokenError(`Access token refused: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      const claims = toClaims(payload);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    },
  };
}

/**
 * Extracts the token from an `Authorization` header value. `undefined` means "no
 * credentials" (no header, or another scheme); a `Bearer` value that is not a token68
 * throws InvalidTokenError.
 */
export function bearerToken(authorization: string | undefined | null): string | undefined {
  if (authorization === undefined || authorization === null) return undefined;
  const value = authorization.trim();
  const match = /^(\S+)(?:[ \t]+([\s\S]*))?$/.exec(value);
  if (!match || match[1]?.toLowerCase() !== 'bearer') return undefined;
  const token = match[2]?.trim() ?? '';
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    throw new InvalidTokenError('Malformed Bearer credentials');
  }
  return token;
}

function toClaims(payload: JwtPayload): AccessTokenClaims {
  const { sub, client_id: clientId, exp, scope, iat } = payload;
  const username = typeof payload[USERNAME_CLAIM] === 'string' && payload[USERNAME_CLAIM] !== '' ? payload[USERNAME_CLAIM] : payload.username;
  const groups = payload[GROUPS_CLAIM] ?? [];
  const orgId = payload[ORG_CLAIM];
  if (
    typeof sub !== 'string' ||
    typeof username !== 'string' ||
    typeof clientId !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number' ||
    (scope !== undefined && typeof scope !== 'string') ||
    !Array.isArray(groups) ||
    !groups.every((g) => typeof g === 'string') ||
    (orgId !== undefined && (typeof orgId !== 'string' || orgId === ''))
  ) {
    throw new InvalidTokenError('Access token claims have an unexpected shape');
  }
  return {
    sub,
    username,
    groups: groups as string[],
    clientId,
    exp,
    iat,
    ...(typeof orgId === 'string' ? { orgId } : {}),
    ...(typeof scope === 'string' ? { scope } : {}),
  };
}

/**
 * aws-jwt-verify asks for Cognito's JWKS address (derived from the pool id); this fetcher
 * reads the configured address instead, over http on loopback or https elsewhere.
 */
class FixedUriFetcher implements Fetcher {
  private readonly uri: string;

  constructor(uri: string) {
    const url = new URL(uri);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new Error(`jwksUri must be https, or http on loopback; got ${uri}`);
    }
    this.uri = url.href;
  }

  async fetch(): Promise<ArrayBuffer> {
    const response = await fetch(this.uri, { signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS), redirect: 'error' });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`JWKS fetch from ${this.uri} answered ${response.status}`);
    }
    return response.arrayBuffer();
  }
}
