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
 * - audit event       AUDIT#<eventId>        / AUDIT          (expires by TTL after archiving)
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
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const INDEXES = {
  /** requests by buyer org (BUYER#<org>), evidence by factory (FACTORY#<org>), audit by actor (ACTOR#<userId>). */
  byOwner: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** requests by addressed factory (FACTORY#<org>), audit by resource (RESOURCE#<id>). */
  byCounterparty: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** every request (REQUEST#<shard>), every evidence (EVIDENCE#<shard>), every audit event (AUDIT#<shard>), for auditors and admins; eight shards each, merged on read. */
  byKind: { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /** requests with a due date by buyer org (DUE#BUYER#<org>), sorted `<dueDate>#<createdAt>#<id>`: the `dueBefore` and `overdue` filters. */
  byDueOfOwner: { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  /** requests with a due date by addressed factory (DUE#FACTORY#<org>), sorted as byDueOfOwner. */
  byDueOfCounterparty: { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  /**
   * Dates across tenants, eight shards each: requests by due date (DUE#<shard>, `<dueDate>#<createdAt>#<id>`)
   * for auditors' due filters and the reminder sweep; evidence versions by expiry (EXPIRES#<shard>,
   * `<expiresAt>#<evidenceId>#<version>`) for the expiry reminders. Only items with a date are in it.
   */
  byDate: { indexName: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
} as const satisfies Record<string, IndexDefinition>;

export type IndexName = keyof typeof INDEXES;

/** Input for CreateTable on DynamoDB Local; production uses the same keys through CDK TableV2. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(INDEXES);
  const attributeNames = [PARTITION_KEY, SORT_KEY, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
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
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
