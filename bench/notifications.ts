/**
 * Notification figures on DynamoDB Local, with the very handlers `npm start` runs: the lag
 * from a committed change to its inbox entry (the stream poller feeding the notifier, as the
 * event source mapping does in AWS), and webhook delivery under a 1,000-event burst (the local
 * delayed queue driving the worker, a receiver on 127.0.0.1 verifying every signature with the
 * Standard Webhooks library). Also the units per event, for the cost in AWS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { documentClient } from '../functions/composition/table.js';
import { inbox as inboxOf, notifierDeps, webhookWorkerDeps } from '../functions/composition/notifications.js';
import { configuration } from '../functions/config/configuration.js';
import { createTableInput, INDEXES } from '../functions/config/table.js';
import { newEventId, newItemId, newRequestId } from '../functions/core/ids.js';
import type { Inbox } from '../functions/core/notification-ports.js';
import { newWebhookSecret } from '../functions/core/webhooks.js';
import { requestRepository } from '../functions/composition/table.js';
import { createHandler as notifierHandler } from '../functions/jobs/notifier.js';
import { createHandler as webhookWorker } from '../functions/jobs/webhook-worker.js';
import type { EvidenceRequest } from '../functions/schemas/requests.js';
import { createDelayedQueue } from '../local/delayed-queue.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';
import { seedOrganisations } from '../local/seed.js';
import { startStreamPoller } from '../local/stream-poller.js';
import { percentile, pool } from './stats.js';

export interface NotificationFigures {
  readonly lag: { readonly events: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly burst: {
    readonly events: number;
    readonly delivered: number;
    readonly duplicates: number;
    readonly verified: number;
    readonly allDeliveredWithinMs: number;
    readonly perSecond: number;
    readonly lagP50Ms: number;
    readonly lagP99Ms: number;
  };
  /** Handler milliseconds per event (notifier) and per delivery (worker), in process. */
  readonly notifierMsPerEvent: number;
  readonly workerMsPerDelivery: number;
}

const MEMBER = { userId: 'bench-factory-user', username: 'benchfactory', email: 'bench@example.test' };

export async function measureNotifications(endpoint: string, options: { lagEvents?: number; burstEvents?: number } = {}): Promise<NotificationFigures> {
  const lagEvents = options.lagEvents ?? 200;
  const burstEvents = options.burstEvents ?? 1000;
  const tableName = `bench-notify-${Date.now()}`;
  const raw = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  await seedOrganisations(raw, tableName);
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
  const queue = createDelayedQueue({ failureFile: join(dir, 'dead.jsonl') });
  const config = configuration(
    { tableName, dynamodbEndpoint: endpoint, region: LOCAL_REGION, userPoolId: 'eu-west-1_Bench1', clientIds: ['bench'] },
    { credentials: LOCAL_CREDENTIALS, deliveryQueue: queue, allowLocalWebhooks: true },
  );
  const documents = documentClient(config);
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `USER#${MEMBER.userId}`, sk: 'USER', entity: 'user', [INDEXES.byOwner.partitionKey]: 'MEMBERS#F001', [INDEXES.byOwner.sortKey]: `2026#${MEMBER.userId}`, ...MEMBER, role: 'factory', orgId: 'F001', status: 'ACTIVE' },
    }),
  );

  // When each request's inbox entry landed (the notifier's own write, observed as it returns).
  const delivered = new Map<string, number>();
  const inbox = inboxOf(config);
  const timedInbox: Inbox = {
    ...inbox,
    deliver: async (entry) => {
      const result = await inbox.deliver(entry);
      if (result.created) delivered.set(entry.subject.id, performance.now());
      return result;
    },
    markMailed: (...args) => inbox.markMailed(...args),
    list: (...args) => inbox.list(...args),
    get: (...args) => inbox.get(...args),
    markRead: (...args) => inbox.markRead(...args),
  };
  let notifierMs = 0;
  let notifiedEvents = 0;
  const notify = notifierHandler({ ...notifierDeps(config), inbox: timedInbox, log: { info: () => undefined, error: () => undefined } });
  const poller = startStreamPoller({
    dynamodb: raw,
    dynamodbEndpoint: endpoint,
    tableName,
    checkpointFile: join(dir, 'checkpoints.json'),
    invoke: async (event) => {
      const started = performance.now();
      const answer = await notify(event);
      notifierMs += performance.now() - started;
      notifiedEvents += event.Records.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.['sk']?.S === 'REQUEST').length;
      return answer;
    },
    batchingWindowMs: 0,
    pollIntervalMs: 100,
  });
  let workerMs = 0;
  let attempts = 0;
  const worker = webhookWorker(webhookWorkerDeps(config));
  queue.connect(async (event) => {
    const started = performance.now();
    const answer = await worker(event);
    workerMs += performance.now() - started;
    attempts += event.Records.length;
    return answer;
  });

  const requests = requestRepository(config);
  const written = new Map<string, number>();
  const write = async () => {
    const now = new Date();
    const at = now.toISOString();
    const request: EvidenceRequest = {
      requestId: newRequestId(now.getTime()),
      buyerOrgId: 'B001',
      factoryId: 'F001',
      title: 'bench',
      status: 'OPEN',
      items: [{ itemId: newItemId(now.getTime()), docType: 'certificate', status: 'PENDING' }],
      createdAt: at,
      createdBy: 'bench',
      updatedAt: at,
    };
    await requests.create(request, {
      eventId: newEventId(now.getTime()),
      occurredAt: at,
      action: 'request.create',
      outcome: 'SUCCESS',
      actor: { userId: 'bench', role: 'buyer', orgId: 'B001' },
      resource: { type: 'request', id: request.requestId },
      statusCode: 201,
      correlationId: 'bench',
    });
    written.set(request.requestId, performance.now());
    return request.requestId;
  };
  const waitFor = async (done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!done()) throw new Error('notifications did not arrive in time');
  };

  const server = createServer();
  try {
    // 1. Lag: one change at a time, a few per second, as steady traffic.
    const lagIds: string[] = [];
    for (let i = 0; i < lagEvents; i++) {
      lagIds.push(await write());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor(() => lagIds.every((id) => delivered.has(id)), 60_000);
    const lags = lagIds.map((id) => delivered.get(id)! - written.get(id)!);

    // 2. A burst of 1,000 changes, each delivered to the factory's webhook.
    const secret = newWebhookSecret();
    const verifier = new Webhook(secret);
    const received = new Map<string, number>();
    let duplicates = 0;
    let verified = 0;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          verifier.verify(body, req.headers as Record<string, string>);
          verified++;
        } catch {
          // counted by `verified`
        }
        const requestId = (JSON.parse(body) as { data: { requestId: string } }).data.requestId;
        if (received.has(requestId)) duplicates++;
        else received.set(requestId, performance.now());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const at = new Date().toISOString();
    const webhookId = `whk_bench_${Date.now()}`;
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `WEBHOOK#${webhookId}`,
          sk: 'WEBHOOK',
          entity: 'webhook',
          [INDEXES.byOwner.partitionKey]: 'WEBHOOKS#F001',
          [INDEXES.byOwner.sortKey]: `${at}#${webhookId}`,
          webhookId,
          orgId: 'F001',
          url: `http://127.0.0.1:${port}/hooks`,
          events: ['request.created'],
          status: 'ACTIVE',
          createdAt: at,
          createdBy: 'bench',
          secret,
        },
      }),
    );
    const burstStart = performance.now();
    const burstIds = await pool(Array.from({ length: burstEvents }), 20, () => write());
    await waitFor(() => burstIds.every((id) => received.has(id)), 180_000);
    const allDeliveredWithinMs = Math.max(...burstIds.map((id) => received.get(id)!)) - burstStart;
    const burstLags = burstIds.map((id) => received.get(id)! - written.get(id)!);
    return {
      lag: { events: lags.length, p50Ms: Math.round(percentile(lags, 50)), p99Ms: Math.round(percentile(lags, 99)) },
      burst: {
        events: burstEvents,
        delivered: received.size,
        duplicates,
        verified,
        allDeliveredWithinMs: Math.round(allDeliveredWithinMs),
        perSecond: Math.round((burstEvents / allDeliveredWithinMs) * 1000),
        lagP50Ms: Math.round(percentile(burstLags, 50)),
        lagP99Ms: Math.round(percentile(burstLags, 99)),
      },
      notifierMsPerEvent: +(notifierMs / Math.max(1, notifiedEvents)).toFixed(2),
      workerMsPerDelivery: +(workerMs / Math.max(1, attempts)).toFixed(2),
    };
  } finally {
    server.closeAllConnections();
    server.close();
    await poller.stop({ drainMs: 2_000 });
    await queue.stop();
    documents.destroy();
    raw.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
