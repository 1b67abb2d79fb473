/** Establishes the caller from a verified access token; refuses a second `Authorization` header whatever its value. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { bearerToken, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { InvalidTokenError, MissingCredentialsError } from '../core/errors.js';
import { isRole } from '../core/permissions.js';
import { ANONYMOUS, type Principal } from '../core/principal.js';
import { headerValues, stateOf, type ApiMiddleware, type ApiRequest } from './state.js';

export async function principalOf(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): Promise<Principal> {
  const values = headerValues(event, 'authorization');
  if (values.length > 1) throw new InvalidTokenError('Authorization is sent more than once');
  const token = bearerToken(values[0]);
  if (token === undefined) throw new MissingCredentialsError('Send an access token as `Authorization: Bearer <token>`');
  const claims = await verifier.verify(token);
  const role = claims.groups.find(isRole);
  if (!role) throw new InvalidTokenError('The token carries no role group');
  return { userId: claims.sub, username: claims.username, role, ...(claims.orgId && { orgId: claims.orgId }) };
}

export function authenticate(verifier: AccessTokenVerifier): ApiMiddleware {
  return {
    before: async function verifyToken(request: ApiRequest) {
      stateOf(request).principal = await principalOf(request.event, verifier);
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
