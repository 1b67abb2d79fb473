/** Establishes the caller from a verified access token; refuses a second `Authorization` header whatever its value. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { bearerToken, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { InvalidTokenError, MissingCredentialsError } from '../core/errors.js';
import { isRole } from '../core/permissions.js';
import { ANONYMOUS, type Principal } from '../core/principal.js';
import type { SessionFreshness } from './session-freshness.js';
import { headerValues, stateOf, type ApiMiddleware, type ApiRequest } from './state.js';

export async function principalOf(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): Promise<Principal> {
  return (await verifiedCaller(event, verifier)).principal;
}

/** The caller and when their token was issued (epoch seconds). */
export async function verifiedCaller(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): Promise<{ principal: Principal; issuedAt: number }> {
  const values = headerValues(event, 'authorization');
  if (values.length > 1) throw new InvalidTokenError('Authorization is sent more than once');
  const token = bearerToken(values[0]);
  if (token === undefined) throw new MissingCredentialsError('Send an access token as `Authorization: Bearer <token>`');
  const claims = await verifier.verify(token);
  const role = claims.groups.find(isRole);
  if (!role) throw new InvalidTokenError('The token carries no role group');
  return { principal: { userId: claims.sub, username: claims.username, role, ...(claims.orgId && { orgId: claims.orgId }) }, issuedAt: claims.iat };
}

/**
 * Verifies the token, then (when given `freshness`) that no change of its user or organisation
 * since it was issued revoked it; both refusals are 401 invalid_token.
 */
export function authenticate(verifier: AccessTokenVerifier, freshness?: SessionFreshness): ApiMiddleware {
  return {
    before: async function verifyToken(request: ApiRequest) {
      const { principal, issuedAt } = await verifiedCaller(request.event, verifier);
      await freshness?.check(principal, issuedAt);
      stateOf(request).principal = principal;
    },
  };
}

/** The caller of an anonymous operation (a share link): nobody, whatever `Authorization` holds; the token in the path is the capability. */
export function anonymousCaller(): ApiMiddleware {
  return {
    before: async function noAccount(request: ApiRequest) {
      stateOf(request).principal = ANONYMOUS;
    },
  };
}
