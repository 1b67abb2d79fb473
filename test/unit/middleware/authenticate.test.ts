/** The authenticate middleware: a principal from one verified bearer token, or the right 401. */
import { describe, expect, it } from 'vitest';
import type { AccessTokenVerifier } from '../../../functions/adapters/cognito-token-verifier.js';
import { InvalidTokenError, MissingCredentialsError } from '../../../functions/core/errors.js';
import { authenticate } from '../../../functions/middleware/authenticate.js';
import { stateOf } from '../../../functions/middleware/state.js';
import { apiEvent } from '../../support/events.js';
import { middyRequest } from '../../support/middy-request.js';

/** A pure stand-in: token `good` is a factory user, `nogroup` has no role group, anything else is refused. */
const verifier: AccessTokenVerifier = {
  async verify(token) {
    if (token === 'good') return { sub: 'u-1', username: 'factory1', groups: ['factory'], orgId: 'F001', clientId: 'c', exp: 2e9, iat: 1e9 };
    if (token === 'nogroup') return { sub: 'u-2', username: 'nobody', groups: ['other'], clientId: 'c', exp: 2e9, iat: 1e9 };
    throw new InvalidTokenError('refused');
  },
};

async function run(headers: string[]) {
  const request = middyRequest(apiEvent({ method: 'GET', url: '/v1/me', headers }));
  await authenticate(verifier).before!(request);
  return stateOf(request).principal;
}

describe('authenticate', () => {
  it('sets the principal from a valid token', async () => {
    expect(await run(['Authorization', 'Bearer good'])).toEqual({ userId: 'u-1', username: 'factory1', role: 'factory', orgId: 'F001' });
  });

  it.each([[[]], [['Authorization', 'Basic dTpw']]])('answers missing credentials for %j', async (headers) => {
    await expect(run(headers)).rejects.toBeInstanceOf(MissingCredentialsError);
  });

  it.each([
    ['a token without a role group', ['Authorization', 'Bearer nogroup']],
    ['a refused token', ['Authorization', 'Bearer forged']],
    ['Authorization twice, both valid', ['Authorization', 'Bearer good', 'Authorization', 'Bearer good']],
    ['Authorization twice in two casings', ['Authorization', 'Bearer good', 'authorization', 'Bearer good']],
  ])('answers invalid_token for %s', async (_name, headers) => {
    await expect(run(headers)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('reports a principal read before it ran as a wiring bug', () => {
    const request = middyRequest(apiEvent({ method: 'GET', url: '/v1/me' }));
    expect(() => stateOf(request).principal).toThrow(/authenticate middleware/);
  });
});
