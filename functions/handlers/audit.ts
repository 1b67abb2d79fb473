/** Lambda entry: the audit query route; it reads the trail and writes only its own audit event. */
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { createHandler } from '../http/audit.js';
import { tableFromEnv } from '../http/table-from-env.js';
import { verifierFromEnv } from '../http/verifier-from-env.js';

const { client, settings } = tableFromEnv();

export const handler = createHandler({ verifier: verifierFromEnv(), auditLog: new DynamoAuditLog(client, settings) });
