/** The API's adapters for tests, built by the composition root from a test configuration (a table on DynamoDB Local, a test token issuer). */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../functions/composition/dependencies.js';
import { cursorSealer, sessionFreshness, verifier } from '../../functions/composition/root.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LocalUserStore } from '../../functions/adapters/local-user-store.js';
import { identityDirectory, PRIVILEGED_ROLE_SIGNAL } from '../../functions/composition/directory.js';
import { apiAuditLog, commentRepository, personalDataVault, directoryRepository, evidenceRepository, idempotencyStore, organisationDirectory, requestRepository } from '../../functions/composition/table.js';
import { demoStoreUsers } from '../../local/demo-users.js';
import { createMailOutbox } from '../../local/mail-outbox.js';
import { seedOrganisations, seedUsers } from '../../local/seed.js';
import { configuration, type Configuration } from '../../functions/config/configuration.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.js';
import { packRepository } from '../../functions/composition/packs.js';
import { memoryFileUrls, memoryPackFileUrls, recordingPackJobs } from './memory-file-urls.js';


export function testConfiguration(
  table: { readonly tableName: string; readonly endpoint: string },
  tokens: { readonly verifierOptions: { userPoolId: string; clientIds: string[]; jwksUri: string } },
): Configuration {
  const key = randomBytes(32);
  // The local identity directory on a user store and a mail folder of this test's own.
  const dir = mkdtempSync(join(tmpdir(), 'directory-'));
  return configuration(
    { tableName: table.tableName, dynamodbEndpoint: table.endpoint, region: LOCAL_REGION, ...tokens.verifierOptions },
    // No test resolves a name over the network: every host is a public documentation address unless a test injects its own resolver.
    {
      credentials: LOCAL_CREDENTIALS,
      cursorKey: async () => key,
      hostResolver: async () => ['203.0.113.10'],
      userStore: new LocalUserStore(join(dir, 'users.json')),
      mail: createMailOutbox(join(dir, 'mail')),
    },
  );
}

/** The seeded organisations and demo users: in the table and in the configuration's user store. */
export async function seedTestDirectory(table: { readonly client: DynamoDBClient; readonly tableName: string }, config: Configuration): Promise<void> {
  await seedOrganisations(table.client, table.tableName);
  await seedUsers(table.client, table.tableName);
  await config.userStore?.seed(demoStoreUsers());
}

/** Every adapter of every route group, on the configuration's table; `overrides` replace some (fakes, fault injection). */
export function testDeps(config: Configuration, overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    verifier: verifier(config),
    sessions: sessionFreshness(config),
    auditLog: apiAuditLog(config),
    vault: personalDataVault(config),
    requests: requestRepository(config),
    evidence: evidenceRepository(config),
    organisations: organisationDirectory(config),
    directory: directoryRepository(config),
    identities: identityDirectory(config),
    signals: PRIVILEGED_ROLE_SIGNAL,
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
