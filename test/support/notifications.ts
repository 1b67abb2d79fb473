/** The notification side for tests: directory members of the demo users, the notifier on a test table's stream, a Standard Webhooks receiver. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { INDEXES } from '../../functions/config/table.js';
import type { TestTable } from './dynamodb.js';
import { documentClient } from '../../functions/composition/table.js';
import type { Configuration } from '../../functions/config/configuration.js';
import { DEMO_USERS, stableSub, type DemoUsername } from '../../local/demo-users.js';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller.js';
import { localDynamoClient } from './dynamodb.js';

export const emailOf = (username: string) => `${username}@example.test`;

/**
 * The demo users as the user directory keeps them (USER#<id>, listed per org as MEMBERS#<org>
 * on byOwner), so the notifier finds each organisation's members.
 */
export async function seedMembers(config: Configuration, users: readonly DemoUsername[] = DEMO_USERS.map((u) => u.username)): Promise<void> {
  const client = documentClient(config);
  for (const user of DEMO_USERS.filter((u) => users.includes(u.username))) {
    const userId = stableSub(user.username);
    await client.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          pk: `USER#${userId}`,
          sk: 'USER',
          entity: 'user',
          ...('orgId' in user && { [INDEXES.byOwner.partitionKey]: `MEMBERS#${user.orgId}`, [INDEXES.byOwner.sortKey]: `2026-01-01T00:00:00.000Z#${userId}` }),
          userId,
          username: user.username,
          email: emailOf(user.username),
          role: user.group,
          ...('orgId' in user && { orgId: user.orgId }),
          status: 'ACTIVE',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
  }
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** A stream poller on the test table feeding `handler`, keeping every batch it handed over (to redeliver them). */
export function pollStream(table: TestTable, handler: StreamHandler): { poller: StreamPoller; batches: DynamoDBStreamEvent[]; stop(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'notifier-'));
  const batches: DynamoDBStreamEvent[] = [];
  const dynamodb = localDynamoClient(table.endpoint);
  const poller = startStreamPoller({
    dynamodb,
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    checkpointFile: join(dir, 'checkpoints.json'),
    invoke: async (event) => {
      batches.push(structuredClone(event));
      return handler(event);
    },
    batchingWindowMs: 0,
    pollIntervalMs: 50,
    maxRetryAttempts: 2,
  });
  return {
    poller,
    batches,
    async stop() {
      await poller.stop({ drainMs: 2_000 });
      dynamodb.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the Standard Webhooks reference library made of the signature. */
  readonly verified: boolean;
  readonly status: number;
}

/** A webhook receiver on 127.0.0.1 that verifies every POST with the Standard Webhooks reference library and answers what `answer` says. */
export async function startReceiver(answer: (n: number) => number = () => 204): Promise<{ url: string; received: ReceivedWebhook[]; secret: { value?: string }; stop(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const secret: { value?: string } = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        if (secret.value) {
          new Webhook(secret.value).verify(body, req.headers as Record<string, string>);
          verified = true;
        }
      } catch {
        verified = false;
      }
      const status = answer(received.length + 1);
      received.push({ headers: req.headers, body, verified, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    received,
    secret,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
