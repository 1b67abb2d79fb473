import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import {
  bearerToken,
  createAccessTokenVerifier,
  InvalidTokenError,
  type AccessTokenVerifier,
} from '../../functions/adapters/cognito-token-verifier.js';
import { API_SCOPE } from '../../functions/config/claims.js';
import { stableSub } from '../../local/demo-users.js';
import { forge, startTestTokenIssuer, type TestTokenIssuer } from '../support/tokens.js';

let tokens: TestTokenIssuer;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  tokens = await startTestTokenIssuer();
  verifier = createAccessTokenVerifier(tokens.verifierOptions);
});

afterAll(async () => {
  await tokens.stop();
});

async function expectRefused(token: string, verify: AccessTokenVerifier = verifier): Promise<InvalidTokenError> {
  const error = await verify.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}

describe('valid tokens', () => {
  it('accepts a buyer access token and returns typed claims', async () => {
    const token = await tokens.accessToken('buyer1');
    const claims = await verifier.verify(token);
    expect(claims).toEqual({
      sub: stableSub('buyer1'),
      username: 'buyer1',
      groups: ['buyer'],
      orgId: 'B001',
      clientId: tokens.clientId,
      scope: expect.stringContaining(API_SCOPE),
      exp: decodeJwt(token).exp,
      iat: decodeJwt(token).iat,
    });
  });

  it('takes the product\'s username from preferred_username when the token carries it (the pool signs in by e-mail)', async () => {
    const token = await tokens.accessToken('buyer1', { claims: { username: stableSub('buyer1'), preferred_username: 'buyer1' } });
    expect((await verifier.verify(token)).username).toBe('buyer1');
  });

  it('refuses an access token without iat (freshness needs it)', async () => {
    await expect(verifier.verify(await tokens.accessToken('buyer1', { claims: { iat: undefined } }))).rejects.toThrow();
  });

  it('accepts a user without an organisation and leaves orgId out', async () => {
    const claims = await verifier.verify(await tokens.accessToken('auditor1'));
    expect(claims.groups).toEqual(['auditor']);
    expect(claims).not.toHaveProperty('orgId');
  });

  it('accepts any of several configured client ids', async () => {
    const multi = createAccessTokenVerifier({ ...tokens.verifierOptions, clientIds: ['other-client', tokens.clientId] });
    await expect(multi.verify(await tokens.accessToken('factory2'))).resolves.toMatchObject({ orgId: 'F002' });
  });

  it('fetches the JWKS once and then verifies from the cache', async () => {
    const fresh = createAccessTokenVerifier(tokens.verifierOptions);
    const before = tokens.jwksRequests;
    for (const user of ['buyer1', 'buyer2', 'factory1'] as const) await fresh.verify(await tokens.accessToken(user));
    expect(tokens.jwksRequests - before).toBe(1);
  });

  it('remembers an accepted token only until it expires', async () => {
    const fresh = createAccessTokenVerifier(tokens.verifierOptions);
    const token = await tokens.accessToken('buyer1', { expiresIn: 60 });
    const claims = await fresh.verify(token);
    expect(await fresh.verify(token)).toBe(claims);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      await expect(fresh.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('refused tokens', () => {
  it('refuses garbage', async () => {
    await expectRefused(forge.garbage());
    await expectRefused('');
    await expectRefused('a.b.c');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = await tokens.accessToken('buyer1');
    await expectRefused(forge.tampered(token, { org_id: 'B002' }));
    await expectRefused(forge.tampered(token, { 'cognito:groups': ['admin'] }));
  });

  it('refuses alg none', async () => {
    const claims = tokens.issuer.accessClaims({ username: 'admin1', group: 'admin' });
    await expectRefused(forge.algNone(claims, tokens.issuer.kid));
  });

  it('refuses HS256 signed with the public key as the secret (PEM and JWK bytes)', async () => {
    const claims = tokens.issuer.accessClaims({ username: 'admin1', group: 'admin' });
    await expectRefused(await forge.hs256WithPublicKey(claims, tokens.issuer, 'pem'));
    await expectRefused(await forge.hs256WithPublicKey(claims, tokens.issuer, 'jwk'));
  });

  it('refuses another RS256 key presenting the issuer kid', async () => {
    const claims = tokens.issuer.accessClaims({ username: 'admin1', group: 'admin' });
    await expectRefused(await forge.foreignKey(claims, tokens.issuer.kid));
  });

  it('refuses an expired token, keeping the library error as the cause', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await expectRefused(await tokens.accessToken('buyer1', { claims: { iat: now - 3600, exp: now - 60 } }));
    expect(error.cause).toBeInstanceOf(JwtExpiredError);
  });

  it('refuses a token from another issuer', async () => {
    await expectRefused(
      await tokens.accessToken('buyer1', { claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other1' } }),
    );
    await expectRefused(await tokens.accessToken('buyer1', { claims: { iss: 'https://evil.example' } }));
  });

  it('refuses a token for another client', async () => {
    await expectRefused(await tokens.accessToken('buyer1', { claims: { client_id: 'another-client' } }));
  });

  it('refuses an ID token', async () => {
    await expectRefused(await tokens.idToken('buyer1'));
    await expectRefused(await tokens.accessToken('buyer1', { claims: { token_use: 'id' } }));
  });

  it('refuses a token without the API scope', async () => {
    await expectRefused(await tokens.accessToken('buyer1', { claims: { scope: 'openid' } }));
    await expectRefused(await tokens.accessToken('buyer1', { claims: { scope: undefined } }));
  });

  it('refuses a token whose identity claims have the wrong shape', async () => {
    await expectRefused(await tokens.accessToken('buyer1', { claims: { 'cognito:groups': 'admin' } }));
    await expectRefused(await tokens.accessToken('buyer1', { claims: { org_id: 42 } }));
    await expectRefused(await tokens.accessToken('buyer1', { claims: { username: undefined } }));
  });

  it('refuses a token whose kid is unknown', async () => {
    const fresh = createAccessTokenVerifier(tokens.verifierOptions);
    const claims = tokens.issuer.accessClaims({ username: 'buyer1', group: 'buyer', orgId: 'B001' });
    await expectRefused(await forge.foreignKey(claims), fresh);
    await expectRefused(await tokens.sign(claims, { kid: undefined }), fresh);
  });
});

describe('JWKS outage', () => {
  it('keeps verifying with cached keys and still refuses unknown kids', async () => {
    const own = await startTestTokenIssuer();
    try {
      const cached = createAccessTokenVerifier(own.verifierOptions);
      await cached.verify(await own.accessToken('factory1'));

      own.setJwksAvailable(false);
      await expect(cached.verify(await own.accessToken('buyer2'))).resolves.toMatchObject({ username: 'buyer2' });
      const claims = own.issuer.accessClaims({ username: 'buyer2', group: 'buyer', orgId: 'B002' });
      await expectRefused(await forge.foreignKey(claims), cached);
      await expect(cached.verify(await own.accessToken('buyer1'))).resolves.toMatchObject({ orgId: 'B001' });
    } finally {
      await own.stop();
    }
  });

  it('refuses every token when the JWKS was never reachable', async () => {
    const own = await startTestTokenIssuer();
    try {
      own.setJwksAvailable(false);
      await expectRefused(await own.accessToken('buyer1'), createAccessTokenVerifier(own.verifierOptions));
    } finally {
      await own.stop();
    }
  });
});

describe('configuration', () => {
  it('refuses plain http JWKS addresses off loopback', () => {
    expect(() =>
      createAccessTokenVerifier({ ...tokens.verifierOptions, jwksUri: 'http://example.com/jwks.json' }),
    ).toThrow(/loopback/);
  });

  it('refuses an empty client id list', () => {
    expect(() => createAccessTokenVerifier({ ...tokens.verifierOptions, clientIds: [] })).toThrow(/clientIds/);
  });
});

describe('bearerToken', () => {
  it('returns undefined for no credentials or another scheme', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearerabc')).toBeUndefined();
  });

  it('returns the token, scheme case-insensitive', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer  a.b.c ')).toBe('a.b.c');
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b', 'Bearer "abc"', 'Bearer =abc'])(
    'throws InvalidTokenError for %j',
    (value) => {
      expect(() => bearerToken(value)).toThrow(InvalidTokenError);
    },
  );
});
