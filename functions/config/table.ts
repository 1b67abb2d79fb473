/**
 * The single definition of the DynamoDB table. The CDK stack deploys it and the local
 * runtime creates it on DynamoDB Local from these same constants.
 *
 * One table holds every entity. Keys (pk / sk):
 * - organisation      ORG#<orgId>            / ORG
 * - request           REQUEST#<requestId>    / REQUEST        (items live inside the request)
 * - evidence          EVIDENCE#<evidenceId>  / EVIDENCE
 * - evidence version  EVIDENCE#<evidenceId>  / VERSION#<10-digit version>
 * - evidence share    EVIDENCE#<evidenceId>  / SHARE#<buyerOrgId>#<10-digit version>
 * - audit event       AUDIT#<shard>          / <occurredAt>#<eventId>  (the every-tenant log, newest
 *                                                  last; expires by TTL after archiving)
 * - comment           REQUEST#<requestId>    / COMMENT#<createdAt>#<commentId>
 * - idempotency       IDEMPOTENCY#<hash>     / IDEMPOTENCY    (expires by TTL)
 * - archive manifest head, stream checkpoints: SYSTEM#<name> / <name>
 *
 * Global secondary indexes are overloaded; every list query names its tenant in the key
 * condition, never in a filter. Sort keys are `<timestamp>#<id>` so lists read newest first.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds after which DynamoDB's TTL may remove the item. */
export const TTL_ATTRIBUTE = 'ttl';

export interface IndexDefinition {
  /** Undefined for the table itself, read like an index by its own keys. */
  readonly indexName: string | undefined;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** `ALL`, or the non-key attributes an index entry carries (INCLUDE); readers fetch the rest from the table. */
  readonly projection: 'ALL' | readonly string[];
}

/**
 * What the lists of mutable entities filter on inside an index (status, kind, role, webhook
 * events, an org's name prefix, an evidence's docType): projected so filters work on the index entry, and nothing
 * else, so an update that changes none of these (a fulfilment, a review, a new version)
 * writes no index entry at all. A list then reads its page's items from the table.
 */
export const LIST_FILTER_ATTRIBUTES = ['entity', 'status', 'kind', 'role', 'orgId', 'events', 'nameLower', 'docType'] as const;

/**
 * An item lists under the same `<createdAt>#<id>` in every index it is in (by owner, by
 * counterparty, for every tenant), and under the same `<date>#...` in every date index, so
 * those indexes share one sort key attribute each: a request stores each value once.
 */
const LIST_SORT_KEY = 'gsi1sk';
const DUE_SORT_KEY = 'gsi4sk';

/** The table's own keys, for the patterns the base table serves (the every-tenant audit log). */
export const TABLE_KEYS: IndexDefinition = { indexName: undefined, partitionKey: PARTITION_KEY, sortKey: SORT_KEY, projection: 'ALL' };

/**
 * The access pattern each index serves, and why its projection is what it is: docs/capacity.md.
 * Mutable entities (requests, evidence, users, organisations, packs, webhooks) sit in gsi1-gsi6
 * with their filter attributes only; immutable audit events in gsi7 and gsi8, projected whole
 * (an event is written once and never changed, so a full copy costs the same one write as its
 * keys and saves the history a second read).
 */
export const INDEXES = {
  /** requests by buyer org (BUYER#<org>), evidence by factory (FACTORY#<org>), users by org (MEMBERS#<org>), packs (PACKS#<org>), webhooks (WEBHOOKS#<org>). */
  byOwner: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: LIST_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /** requests by addressed factory (FACTORY#<org>), users by role (ROLE#<role>). */
  byCounterparty: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: LIST_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /** every request, evidence, pack, webhook (<KIND>#<shard>, eight shards each, merged on read), organisation and user, for auditors and admins. */
  byKind: { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: LIST_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /** requests with a due date by buyer org (DUE#BUYER#<org>), sorted `<dueDate>#<createdAt>#<id>`: the `dueBefore` and `overdue` filters. */
  byDueOfOwner: { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: DUE_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /** requests with a due date by addressed factory (DUE#FACTORY#<org>), sorted as byDueOfOwner. */
  byDueOfCounterparty: { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: DUE_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /**
   * Dates across tenants, eight shards each: requests by due date (DUE#<shard>, `<dueDate>#<createdAt>#<id>`)
   * for auditors' due filters and the reminder sweep; evidence versions by expiry (EXPIRES#<shard>,
   * `<expiresAt>#<evidenceId>#<version>`) for the expiry reminders. Only items with a date are in it.
   */
  byDate: { indexName: 'gsi6', partitionKey: 'gsi6pk', sortKey: DUE_SORT_KEY, projection: LIST_FILTER_ATTRIBUTES },
  /**
   * audit events by actor (ACTOR#<userId>): the `actorId` filter, a person's data export. Sorted by
   * the event's own table sort key, `<occurredAt>#<eventId>`, so no copy of it is stored (an event
   * under 1 KB costs one write unit per copy).
   */
  auditByActor: { indexName: 'gsi7', partitionKey: 'gsi7pk', sortKey: SORT_KEY, projection: 'ALL' },
  /** audit events by resource (RESOURCE#<id>), sorted as auditByActor: a request's history, the `resourceId` filter. */
  auditByResource: { indexName: 'gsi8', partitionKey: 'gsi8pk', sortKey: SORT_KEY, projection: 'ALL' },
} as const satisfies Record<string, IndexDefinition>;

export type IndexName = keyof typeof INDEXES;

/** Input for CreateTable on DynamoDB Local; production uses the same keys through CDK TableV2. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(INDEXES);
  const attributeNames = [...new Set([PARTITION_KEY, SORT_KEY, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: i.projection === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.projection] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
