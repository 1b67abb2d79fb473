/**
 * Tokens for tests: an in-process local token issuer (the same one `npm start` runs) with
 * its JWKS served over http on a free loopback port, plus the forged tokens an attacker
 * would try.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { base64url, SignJWT, type JWTPayload } from 'jose';
import { DEFAULT_DEMO_PASSWORD, type DemoUsername } from '../../local/demo-users.js';
import { findUser, generateSigningKey, TokenIssuer, type TokenOptions } from '../../local/token-issuer.js';
import { freePort } from '../../local/net.js';

export interface TestTokenIssuer {
  readonly issuer: TokenIssuer;
  readonly jwksUri: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Options for createAccessTokenVerifier. */
  readonly verifierOptions: { userPoolId: string; clientIds: string[]; jwksUri: string };
  /** The environment a handler needs to verify these tokens (USER_POOL_ID, CLIENT_IDS, JWKS_URI). */
  readonly env: Readonly<Record<'USER_POOL_ID' | 'CLIENT_IDS' | 'JWKS_URI', string>>;
  /** A valid access token of a demo user; `claims` adds or overrides (undefined removes). */
  accessToken(username: DemoUsername, options?: TokenOptions): Promise<string>;
  idToken(username: DemoUsername, options?: TokenOptions): Promise<string>;
  /** Signs arbitrary claims with the issuer's key. */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Number of JWKS requests served so far. */
  readonly jwksRequests: number;
  /** Number of JWKS requests dropped because of an outage (setJwksAvailable(false)). */
  readonly jwksDropped: number;
  /** While false, the JWKS endpoint drops every connection (an outage). */
  setJwksAvailable(available: boolean): void;
  stop(): Promise<void>;
}

export async function startTestTokenIssuer(options: { password?: string } = {}): Promise<TestTokenIssuer> {
  const issuer = new TokenIssuer({ key: await generateSigningKey(), password: options.password ?? DEFAULT_DEMO_PASSWORD });
  let available = true;
  let jwksRequests = 0;
  let jwksDropped = 0;
  const server: Server = createServer((req, res) => {
    if (!available) {
      jwksDropped += 1;
      req.socket.destroy();
      return;
    }
    if (req.method === 'GET' && req.url === '/_local/jwks.json') {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
    } else {
      res.writeHead(404).end();
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const jwksUri = `http://127.0.0.1:${port}/_local/jwks.json`;

  return {
    issuer,
    jwksUri,
    userPoolId: issuer.userPoolId,
    clientId: issuer.clientId,
    verifierOptions: { userPoolId: issuer.userPoolId, clientIds: [issuer.clientId], jwksUri },
    env: { USER_POOL_ID: issuer.userPoolId, CLIENT_IDS: issuer.clientId, JWKS_URI: jwksUri },
    accessToken: (username, tokenOptions) => issuer.accessToken(findUser(username), tokenOptions),
    idToken: (username, tokenOptions) => issuer.idToken(findUser(username), tokenOptions),
    sign: (claims, header) => issuer.sign(claims, header),
    get jwksRequests() {
      return jwksRequests;
    },
    get jwksDropped() {
      return jwksDropped;
    },
    setJwksAvailable(value) {
      available = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Forged or otherwise invalid tokens; every one must be refused with InvalidTokenError. */
export const forge = {
  garbage: (): string => 'not-a-jwt',

  /** Changes payload claims of a real token and keeps its header and signature. */
  tampered(token: string, changes: Record<string, unknown>): string {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = { ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), ...changes };
    return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
  },

  /** An unsecured JWT (`alg: none`) carrying the issuer's kid. */
  algNone(claims: JWTPayload, kid: string): string {
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    return `${encode({ alg: 'none', kid, typ: 'JWT' })}.${encode(claims)}.`;
  },

  /** HS256 signed with the issuer's public key as the HMAC secret (the RS/HS confusion attack). */
  async hs256WithPublicKey(claims: JWTPayload, issuer: TokenIssuer, form: 'pem' | 'jwk'): Promise<string> {
    const secret = new TextEncoder().encode(form === 'pem' ? issuer.publicPem : JSON.stringify(issuer.jwks().keys[0]));
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issuer.kid, typ: 'JWT' }).sign(secret);
  },

  /** Signed by another RS256 key; `kid` defaults to a fresh unknown one (pass the issuer's kid to impersonate it). */
  async foreignKey(claims: JWTPayload, kid: string = randomUUID()): Promise<string> {
    const other = await generateSigningKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(other.privateKey);
  },
};
