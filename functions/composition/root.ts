/**
 * The composition root: every SDK client (one policy, adapters/sdk-policy.ts) and every
 * adapter of the API is built in this folder, once per configuration object, and nowhere
 * else. Lambda entries pass `production()` (the environment, parsed once); the local runtime
 * and the tests pass their own configuration objects, so two runtimes in one process keep
 * apart. This module holds what every route group uses (token verifier, cursor seals, S3);
 * table.ts the DynamoDB adapters, apart because @aws-sdk/lib-dynamodb cannot be tree-shaken
 * and the public group never touches the table. Each builder is a pure export, so a bundle
 * carries only the clients its route group uses.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { createS3UrlSigner, type S3UrlSigner } from '../adapters/s3-url-signer.js';
import { secretCursorKey } from '../adapters/secret-cursor-key.js';
import { SDK_POLICY } from '../adapters/sdk-policy.js';
import { configurationFromEnv, type Configuration } from '../config/configuration.js';
import { createCursorSealer, type CursorSealer } from '../middleware/cursors.js';
import type { PublicDeps } from './dependencies.js';

/** A builder that runs once per configuration object. */
export function perConfiguration<T, C extends object = Configuration>(build: (config: C) => T): (config: C) => T {
  const built = new WeakMap<C, T>();
  return (config) => {
    if (!built.has(config)) built.set(config, build(config));
    return built.get(config) as T;
  };
}

export const clientBase = (config: Configuration) => ({
  ...SDK_POLICY,
  ...(config.region && { region: config.region }),
  ...(config.credentials && { credentials: config.credentials }),
});

export const s3Client = /* @__PURE__ */ perConfiguration(
  (config): S3Client => new S3Client({ ...clientBase(config), ...(config.s3Endpoint && { endpoint: config.s3Endpoint, forcePathStyle: true }) }),
);

/** Presigns S3 URLs without the S3 client (see s3-url-signer.ts), with the role's credentials. */
export const s3UrlSigner = /* @__PURE__ */ perConfiguration((config): S3UrlSigner => {
  if (!config.region) throw new Error('Configuration has no region: set AWS_REGION to sign S3 URLs');
  return createS3UrlSigner({ region: config.region, credentials: config.credentials ?? defaultProvider(), ...(config.s3Endpoint && { endpoint: config.s3Endpoint }) });
});

export const verifier = /* @__PURE__ */ perConfiguration(
  (config): AccessTokenVerifier =>
    createAccessTokenVerifier({ userPoolId: config.userPoolId, clientIds: config.clientIds, ...(config.jwksUri && { jwksUri: config.jwksUri }) }),
);

export const cursorSealer = /* @__PURE__ */ perConfiguration((config): CursorSealer => {
  if (config.cursorKey) return createCursorSealer(config.cursorKey);
  if (!config.cursorKeySecretArn) throw new Error('Configuration has no cursor key: set CURSOR_KEY_SECRET_ARN (or pass cursorKey locally)');
  return createCursorSealer(secretCursorKey(new SecretsManagerClient(clientBase(config)), config.cursorKeySecretArn));
});

export const publicDeps = /* @__PURE__ */ perConfiguration((config): PublicDeps => ({ verifier: verifier(config) }));

let fromEnvironment: Configuration | undefined;

/** The Lambda's configuration: its environment, parsed on first use. */
export function production(): Configuration {
  if (!fromEnvironment) fromEnvironment = configurationFromEnv(process.env);
  return fromEnvironment;
}
