/** The DynamoDB adapters keep the storage contract, on DynamoDB Local. */
import { afterAll, beforeAll } from 'vitest';
import { auditLog, commentRepository, documentClient, evidenceRepository, organisationDirectory, requestRepository } from '../../functions/composition/table.js';
import { configuration, type Configuration } from '../../functions/config/configuration.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.js';
import { seedOrganisations } from '../../local/seed.js';
import { portContract, type Ports } from '../contract/ports.contract.js';
import { createTestTable } from '../support/dynamodb.js';

let config: Configuration;
beforeAll(async () => {
  const table = await createTestTable('ports');
  await seedOrganisations(table.client, table.tableName);
  config = configuration(
    { tableName: table.tableName, dynamodbEndpoint: table.endpoint, region: LOCAL_REGION, userPoolId: 'eu-west-1_Contract1', clientIds: ['contract'] },
    { credentials: LOCAL_CREDENTIALS },
  );
});
afterAll(() => documentClient(config).destroy());

portContract('DynamoDB', async (): Promise<Ports> => ({
  requests: requestRepository(config),
  evidence: evidenceRepository(config),
  auditLog: auditLog(config),
  organisations: organisationDirectory(config),
  comments: commentRepository(config),
}));
