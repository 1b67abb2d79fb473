/**
 * The API as a client sees it, for handler tests: the production route-group handlers on
 * a real DynamoDB Local table, tokens from a local issuer verified by the production
 * verifier, and the local HTTP adapter in front, called over real HTTP on loopback.
 */
import type { Server } from 'node:http';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { partitions, stripKeys } from '../../functions/adapters/dynamo-items.js';
import { ROUTES } from '../../functions/api/routes.js';
import { ANONYMOUS } from '../../functions/core/principal.js';
import { INDEXES } from '../../functions/config/table.js';
import type { AppDeps } from '../../functions/composition/dependencies.js';
import { documentClient } from '../../functions/composition/table.js';
import { createHandler as auditHandler } from '../../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../../functions/http/evidence.js';
import { createHandler as packsHandler } from '../../functions/http/packs.js';
import { createHandler as publicHandler } from '../../functions/http/public.js';
import { createHandler as requestsHandler } from '../../functions/http/requests.js';
import { createHandler as notificationsHandler } from '../../functions/http/notifications.js';
import { notificationsDeps } from '../../functions/composition/notifications.js';
import type { NotificationsDeps } from '../../functions/composition/dependencies.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { stableSub, type DemoUsername } from '../../local/demo-users.js';
import { createLocalHttpServer } from '../../local/http-server.js';
import { freePort } from '../../local/net.js';
import type { Configuration } from '../../functions/config/configuration.js';
import { createHandler as directoryHandler } from '../../functions/http/directory.js';
import type { MailOutbox } from '../../local/mail-outbox.js';
import { seedTestDirectory, testConfiguration, testDeps } from './deps.js';
import { createTestTable, type TestTable } from './dynamodb.js';
import { startTestTokenIssuer, type TestTokenIssuer } from './tokens.js';

export interface CallOptions {
  /** Sign in as this demo user; or pass `token` for a raw Authorization bearer token. */
  readonly as?: DemoUsername;
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, not JSON-encoded. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface Answer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly requestId: string;
}

export interface TestApi {
  readonly url: string;
  /** The configuration the handlers are built from (its adapters: composition/*.ts). */
  readonly config: import('../../functions/config/configuration.js').Configuration;
  readonly table: TestTable;
  readonly tokens: TestTokenIssuer;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** Every audit event in the table, read directly (not through the API). */
  auditEvents(): Promise<AuditEvent[]>;
  /**
   * The audit events of one call, found by its correlation id among the events of the demo
   * user who made it (one query of that actor's index partition, from `since` on).
   */
  /** `actor` 'anonymous': the events of calls without an account (share links). */
  auditEventsOf(correlationId: string, actor: DemoUsername | 'anonymous', since?: Date): Promise<AuditEvent[]>;
  stop(): Promise<void>;
}

/** `overrides` replace some adapters; as a function, they are built from the test's configuration. */
export async function startTestApi(
  given: (Partial<AppDeps> & Partial<NotificationsDeps>) | ((config: Configuration) => Partial<AppDeps> & Partial<NotificationsDeps>) = {},
): Promise<TestApi> {
  const table = await createTestTable('api');
  const tokens = await startTestTokenIssuer();
  const config = testConfiguration(table, tokens);
  await seedTestDirectory(table, config);
  const documents = documentClient(config);
  const overrides = typeof given === 'function' ? given(config) : given;
  const deps = testDeps(config, overrides);
  const http = createLocalHttpServer({ logError: () => undefined, rateLimits: false, sharedLinkLimit: false });
  http.ready({
    issuer: tokens.issuer,
    routes: ROUTES,
    handlers: {
      requests: requestsHandler(deps),
      evidence: evidenceHandler(deps),
      audit: auditHandler(deps),
      public: publicHandler(deps),
      notifications: notificationsHandler({ ...notificationsDeps(config), ...deps, ...overrides }),
      directory: directoryHandler({ ...notificationsDeps(config), ...deps }),
      packs: packsHandler(deps),
    },
    ...(config.mail && { mailbox: config.mail as MailOutbox }),
  });
  const port = await freePort();
  await new Promise<void>((resolve) => http.server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${port}`;
  const tokenCache = new Map<string, string>();

  return {
    url,
    config,
    table,
    tokens,
    async call(method, path, options = {}) {
      let token = options.token;
      if (options.as) {
        token = tokenCache.get(options.as);
        if (!token) tokenCache.set(options.as, (token = await tokens.accessToken(options.as)));
      }
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token && { Authorization: `Bearer ${token}` }),
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
        ...(body !== undefined && { body }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : undefined,
        requestId: response.headers.get('x-request-id') ?? '',
      };
    },
    async auditEvents() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({ TableName: table.tableName, FilterExpression: 'entity = :audit', ExpressionAttributeValues: { ':audit': 'audit' }, ExclusiveStartKey: startKey, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items.map((item) => stripKeys<AuditEvent>(item));
    },
    async auditEventsOf(correlationId, actor, since) {
      const { auditByActor } = INDEXES;
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: auditByActor.indexName,
            KeyConditionExpression: since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
            FilterExpression: 'correlationId = :correlationId',
            ExpressionAttributeNames: { '#pk': auditByActor.partitionKey, ...(since && { '#sk': auditByActor.sortKey }) },
            ExpressionAttributeValues: {
              ':pk': partitions.auditOfActor(actor === 'anonymous' ? ANONYMOUS.userId : stableSub(actor)),
              ':correlationId': correlationId,
              ...(since && { ':since': since.toISOString() }),
            },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items.map((item) => stripKeys<AuditEvent>(item));
    },
    async stop() {
      await closeServer(http.server);
      await tokens.stop();
      documents.destroy();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
