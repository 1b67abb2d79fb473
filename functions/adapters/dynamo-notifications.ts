/**
 * The notification side of the table: inboxes (INBOX#<userId> / NOTIFICATION#<id>), webhooks
 * (WEBHOOK#<id> / WEBHOOK, listed per org on byOwner and for admins on byKind), their
 * delivery logs (WEBHOOK#<id> / DELIVERY#...) and queue markers (WEBHOOK#<id> / QUEUED#...),
 * and the marker items of jobs (EVENT#<key> / EVENT) whose INSERT carries an event to the
 * notifier. None of these is archived (functions/archive/records.ts skips them): a webhook
 * holds its signing secret, and an inbox is no business record.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../config/table.js';
import { ConcurrentUpdateError, NotFoundError } from '../core/errors.js';
import { EVENT_MARKER_ENTITY, type ProductEvent } from '../core/notification-events.js';
import type { EventMarkers, Inbox, InboxEntry, StoredWebhook, WebhookRepository, WebhookScope } from '../core/notification-ports.js';
import type { Page, PageRequest } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import type { Delivery, EventType, Notification, Webhook } from '../schemas/notifications.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, ITEM_SCHEMA_VERSION, KIND_SHARDS, listedIn, stripKeys } from './dynamo-items.js';
import { fullItems, queryPage, queryPartitionPage } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

/** Prefixes of partitions the archive leaves out. */
export const NOTIFICATION_PARTITION_PREFIXES = ['INBOX#', 'WEBHOOK#', 'EVENT#'] as const;

const NOTIFICATION_PREFIX = 'NOTIFICATION#';
const DELIVERY_PREFIX = 'DELIVERY#';
/** Delivery logs and queue markers are kept 30 days. */
const LOG_TTL_SECONDS = 30 * 86_400;

const inboxKey = (userId: string, notificationId: string) => ({ [PARTITION_KEY]: `INBOX#${userId}`, [SORT_KEY]: `${NOTIFICATION_PREFIX}${notificationId}` });
const webhookKey = (webhookId: string) => ({ [PARTITION_KEY]: `WEBHOOK#${webhookId}`, [SORT_KEY]: 'WEBHOOK' });
const markerKey = (key: string) => ({ [PARTITION_KEY]: `EVENT#${key}`, [SORT_KEY]: 'EVENT' });
const webhooksOfOrg = (orgId: string) => `WEBHOOKS#${orgId}`;
const webhookShards = Array.from({ length: KIND_SHARDS }, (_, shard) => `WEBHOOK#${shard}`);
const shardOf = (id: string) => webhookShards[[...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 0) % KIND_SHARDS]!;

const INTERNAL = new Set(['userId', 'eventId', 'mailedAt']);
const toNotification = (item: Record<string, unknown>): Notification =>
  Object.fromEntries(Object.entries(stripKeys<Record<string, unknown>>(item)).filter(([name]) => !INTERNAL.has(name))) as Notification;
const ttlFrom = (at: string) => Math.floor(Date.parse(at) / 1000) + LOG_TTL_SECONDS;

export class DynamoInbox implements Inbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async deliver(entry: InboxEntry): Promise<{ created: boolean; stored: InboxEntry }> {
    const Key = inboxKey(entry.userId, entry.notificationId);
    try {
      await dynamo(() =>
        this.client.send(
          new PutCommand({
            TableName: this.settings.tableName,
            Item: { ...Key, entity: 'notification', schemaVersion: ITEM_SCHEMA_VERSION, ...entry },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { created: true, stored: entry };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.settings.tableName, Key, ConsistentRead: true })));
      return { created: false, stored: stripKeys<InboxEntry>(Item ?? {}) };
    }
  }

  async markMailed(userId: string, notificationId: string, at: string): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.settings.tableName,
          Key: inboxKey(userId, notificationId),
          UpdateExpression: 'SET mailedAt = if_not_exists(mailedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  async list(userId: string, filter: { unread?: boolean | undefined }, page: PageRequest): Promise<Page<Notification>> {
    const result = await queryPartitionPage(
      this.client,
      this.settings.tableName,
      {
        partition: `INBOX#${userId}`,
        skPrefix: NOTIFICATION_PREFIX,
        forward: false,
        ...(filter.unread && { filter: { expression: 'attribute_not_exists(#readAt)', names: { '#readAt': 'readAt' }, values: {} } }),
      },
      page,
    );
    return { ...result, items: result.items.map(toNotification) };
  }

  async get(userId: string, notificationId: string): Promise<Notification | undefined> {
    const { Item } = await dynamo(() =>
      this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: inboxKey(userId, notificationId), ConsistentRead: true })),
    );
    return Item ? toNotification(Item) : undefined;
  }

  async markRead(userId: string, notificationId: string, at: string, audit: AuditEvent): Promise<Notification> {
    try {
      await dynamo(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.settings.tableName,
                  Key: inboxKey(userId, notificationId),
                  UpdateExpression: 'SET readAt = if_not_exists(readAt, :at)',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':at': at },
                },
              },
              auditPut(audit, this.settings),
            ],
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError && !(await this.get(userId, notificationId))) throw new NotFoundError('notification-not-found', 'No such notification');
      throw error;
    }
    return (await this.get(userId, notificationId))!;
  }
}

const publicWebhook = (item: Record<string, unknown>): Webhook => {
  const { secret: _secret, failingSince: _failing, ...webhook } = stripKeys<StoredWebhook>(item);
  return webhook;
};

export class DynamoWebhookRepository implements WebhookRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  private get table() {
    return this.settings.tableName;
  }

  async create(webhook: StoredWebhook, audit: AuditEvent): Promise<void> {
    const sortKey = `${webhook.createdAt}#${webhook.webhookId}`;
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...webhookKey(webhook.webhookId),
                  entity: 'webhook',
                  schemaVersion: ITEM_SCHEMA_VERSION,
                  ...listedIn(sortKey, { byOwner: webhooksOfOrg(webhook.orgId), byKind: shardOf(webhook.webhookId) }),
                  ...webhook,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async get(webhookId: string): Promise<StoredWebhook | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.table, Key: webhookKey(webhookId), ConsistentRead: true })));
    return Item ? stripKeys<StoredWebhook>(Item) : undefined;
  }

  /** At most 100 per answer: an organisation has a handful. */
  async list(scope: WebhookScope): Promise<Webhook[]> {
    const query =
      scope.by === 'org' ? { index: INDEXES.byOwner, partitions: [webhooksOfOrg(scope.orgId)] } : { index: INDEXES.byKind, partitions: webhookShards };
    const { items } = await queryPage(this.client, this.table, query, { limit: 100 });
    return items.map(publicWebhook);
  }

  async subscribed(orgId: string, type: EventType): Promise<StoredWebhook[]> {
    const { Items } = await dynamo(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEXES.byOwner.indexName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#status = :active AND contains(#events, :type)',
          ExpressionAttributeNames: { '#pk': INDEXES.byOwner.partitionKey, '#status': 'status', '#events': 'events' },
          ExpressionAttributeValues: { ':pk': webhooksOfOrg(orgId), ':active': 'ACTIVE', ':type': type },
        }),
      ),
    );
    return (await fullItems(this.client, this.table, INDEXES.byOwner, Items ?? [])).map((item) => stripKeys<StoredWebhook>(item));
  }

  async disable(webhookId: string, change: { at: string; reason: string }, audit: AuditEvent, notice?: ProductEvent): Promise<Webhook> {
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: webhookKey(webhookId),
                UpdateExpression: 'SET #status = :disabled, disabledAt = :at, disabledReason = :reason',
                ConditionExpression: '#status = :active',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':disabled': 'DISABLED', ':active': 'ACTIVE', ':at': change.at, ':reason': change.reason },
              },
            },
            auditPut(audit, this.settings),
            ...(notice ? [{ Put: markerPut(this.table, `webhook.disabled/${webhookId}`, notice) }] : []),
          ],
        }),
      ),
    );
    const stored = await this.get(webhookId);
    if (!stored) throw new NotFoundError('webhook-not-found', 'No such webhook');
    const { secret: _secret, failingSince: _failing, ...webhook } = stored;
    return webhook;
  }

  async recordOutcome(webhookId: string, outcome: { ok: boolean; at: string }): Promise<StoredWebhook | undefined> {
    const { Attributes } = await dynamo(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: webhookKey(webhookId),
          UpdateExpression: outcome.ok ? 'REMOVE failingSince' : 'SET failingSince = if_not_exists(failingSince, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ...(!outcome.ok && { ExpressionAttributeValues: { ':at': outcome.at } }),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return Attributes ? stripKeys<StoredWebhook>(Attributes) : undefined;
  }

  async logDelivery(webhookId: string, delivery: Delivery): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            [PARTITION_KEY]: `WEBHOOK#${webhookId}`,
            [SORT_KEY]: `${DELIVERY_PREFIX}${delivery.at}#${delivery.deliveryId}#${String(delivery.attempt).padStart(4, '0')}`,
            entity: 'webhook-delivery',
            [TTL_ATTRIBUTE]: ttlFrom(delivery.at),
            ...delivery,
          },
        }),
      ),
    );
  }

  async listDeliveries(webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    const result = await queryPartitionPage(this.client, this.table, { partition: `WEBHOOK#${webhookId}`, skPrefix: DELIVERY_PREFIX, forward: false }, page);
    return { ...result, items: result.items.map((item) => stripKeys<Delivery>(item)) };
  }

  async wasQueued(webhookId: string, deliveryId: string): Promise<boolean> {
    const { Item } = await dynamo(() =>
      this.client.send(new GetCommand({ TableName: this.table, Key: { [PARTITION_KEY]: `WEBHOOK#${webhookId}`, [SORT_KEY]: `QUEUED#${deliveryId}` }, ConsistentRead: true })),
    );
    return Item !== undefined;
  }

  async markQueued(webhookId: string, deliveryId: string, at: string): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { [PARTITION_KEY]: `WEBHOOK#${webhookId}`, [SORT_KEY]: `QUEUED#${deliveryId}`, entity: 'webhook-queued', queuedAt: at, [TTL_ATTRIBUTE]: ttlFrom(at) },
        }),
      ),
    );
  }
}

function markerPut(tableName: string, key: string, event: ProductEvent) {
  return {
    TableName: tableName,
    Item: { ...markerKey(key), entity: EVENT_MARKER_ENTITY, schemaVersion: ITEM_SCHEMA_VERSION, event, [TTL_ATTRIBUTE]: ttlFrom(event.occurredAt) + 365 * 86_400 },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Reminder and notice markers: one per reminder, for ever (a year after its event, by TTL), so none is sent twice. */
export class DynamoEventMarkers implements EventMarkers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(key: string, event: ProductEvent): Promise<boolean> {
    try {
      await dynamo(() => this.client.send(new PutCommand(markerPut(this.tableName, key, event))));
      return true;
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) return false;
      throw error;
    }
  }
}
