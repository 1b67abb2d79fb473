/** The API's adapters for tests, built by the composition root from a test configuration (a table on DynamoDB Local, a test token issuer). */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../functions/composition/dependencies.js';
import { cursorSealer, verifier } from '../../functions/composition/root.js';
import { auditLog, commentRepository, evidenceRepository, idempotencyStore, organisationDirectory, requestRepository } from '../../functions/composition/table.js';
import { configuration, type Configuration } from '../../functions/config/configuration.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.js';
import { packRepository } from '../../functions/composition/packs.js';
import { memoryFileUrls, memoryPackFileUrls, recordingPackJobs } from './memory-file-urls.js';


export function testConfiguration(
  table: { readonly tableName: string; readonly endpoint: string },
  tokens: { readonly verifierOptions: { userPoolId: string; clientIds: string[]; jwksUri: string } },
): Configuration {
  const key = randomBytes(32);
  return configuration(
    { tableName: table.tableName, dynamodbEndpoint: table.endpoint, region: LOCAL_REGION, ...tokens.verifierOptions },
    // No test resolves a name over the network: every host is a public documentation address unless a test injects its own resolver.
    { credentials: LOCAL_CREDENTIALS, cursorKey: async () => key, hostResolver: async () => ['203.0.113.10'] },
  );
}

/** Every adapter of every route group, on the configuration's table; `overrides` replace some (fakes, fault injection). */
export function testDeps(config: Configuration, overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    verifier: verifier(config),
    auditLog: auditLog(config),
    requests: requestRepository(config),
    evidence: evidenceRepository(config),
    organisations: organisationDirectory(config),
    comments: commentRepository(config),
    idempotency: idempotencyStore(config),
    cursors: cursorSealer(config),
    // Presigned URLs need no server; tests of files pass real ones on the local S3 store.
    fileUrls: memoryFileUrls,
    packs: packRepository(config),
    packFileUrls: memoryPackFileUrls,
    packJobs: recordingPackJobs(),
    ...overrides,
  };
}
