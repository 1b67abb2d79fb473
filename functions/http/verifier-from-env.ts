/** The access token verifier, configured from the environment once per container. */
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { ENV, optionalEnv, requiredEnv } from '../config/environment.js';

export function verifierFromEnv(env: NodeJS.ProcessEnv = process.env): AccessTokenVerifier {
  const jwksUri = optionalEnv(ENV.jwksUri, env);
  return createAccessTokenVerifier({
    userPoolId: requiredEnv(ENV.userPoolId, env),
    clientIds: requiredEnv(ENV.clientIds, env).split(','),
    ...(jwksUri && { jwksUri }),
  });
}
