/** Requests on DynamoDB: one item per request (its items inside), guarded by a revision number. */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../schemas/audit.js';
import type { EvidenceRequest } from '../schemas/requests.js';
import type { EvidenceShare, Page, PageRequest, RequestFilter, RequestListScope, RequestRepository, StoredRequest } from '../core/ports.js';
import { INDEXES } from '../config/table.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, keys, partitions, requestItem, stripKeys } from './dynamo-items.js';
import { queryPage, type IndexQuery } from './dynamo-pages.js';

export interface TableSettings {
  readonly tableName: string;
  /** Days an audit item stays in the table before TTL may remove it (it is archived long before). */
  readonly auditTtlDays: number;
}

export class DynamoRequestRepository implements RequestRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async get(requestId: string): Promise<StoredRequest | undefined> {
    const { Item } = await dynamo(() =>
      this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: keys.request(requestId), ConsistentRead: true })),
    );
    if (!Item) return undefined;
    return { request: stripKeys<EvidenceRequest>(Item), revision: Item.revision as number };
  }

  async create(request: EvidenceRequest, audit: AuditEvent): Promise<void> {
    await this.write([
      { Put: { TableName: this.settings.tableName, Item: requestItem(request, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
      auditPut(audit, this.settings),
    ]);
  }

  async update(next: EvidenceRequest, expectedRevision: number, audit: AuditEvent, share?: EvidenceShare): Promise<void> {
    await this.write([
      {
        Put: {
          TableName: this.settings.tableName,
          Item: requestItem(next, expectedRevision + 1),
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        },
      },
      auditPut(audit, this.settings),
      ...(share ? [this.sharePut(share)] : []),
    ]);
  }

  async list(scope: RequestListScope, filter: RequestFilter, page: PageRequest): Promise<Page<EvidenceRequest>> {
    const query = filter.dueBefore !== undefined || filter.overdueOn !== undefined ? dueQuery(scope, filter) : createdQuery(scope, filter);
    const result = await queryPage(this.client, this.settings.tableName, query, page);
    return { ...result, items: result.items.map((item) => stripKeys<EvidenceRequest>(item)) };
  }

  /** A share is written once; sharing the same version again keeps the first date. */
  private sharePut(share: EvidenceShare) {
    return {
      Update: {
        TableName: this.settings.tableName,
        Key: keys.share(share),
        UpdateExpression:
          'SET entity = :entity, evidenceId = :evidenceId, buyerOrgId = :buyerOrgId, version = :version, sharedAt = if_not_exists(sharedAt, :sharedAt)' +
          (share.acceptedAt !== undefined ? ', acceptedAt = if_not_exists(acceptedAt, :acceptedAt)' : ''),
        ExpressionAttributeValues: {
          ':entity': 'share',
          ':evidenceId': share.evidenceId,
          ':buyerOrgId': share.buyerOrgId,
          ':version': share.version,
          ':sharedAt': share.sharedAt,
          ...(share.acceptedAt !== undefined && { ':acceptedAt': share.acceptedAt }),
        },
      },
    };
  }

  private async write(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    await dynamo(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
  }
}

/** The status filter (a narrowing of the tenant's own partition, never the tenancy itself). */
function statusFilter(filter: RequestFilter): IndexQuery['filter'] {
  const parts: string[] = [];
  const values: Record<string, unknown> = {};
  if (filter.status) {
    parts.push('#status = :status');
    values[':status'] = filter.status;
  }
  if (filter.overdueOn !== undefined) {
    parts.push('NOT #status IN (:completed, :cancelled)');
    Object.assign(values, { ':completed': 'COMPLETED', ':cancelled': 'CANCELLED' });
  }
  return parts.length === 0 ? undefined : { expression: parts.join(' AND '), names: { '#status': 'status' }, values };
}

/** Where a scope's requests are listed: by creation (newest first) or by due date (latest first). */
const LIST_INDEXES = {
  created: {
    buyer: (orgId: string) => ({ index: INDEXES.byOwner, partitions: [partitions.requestsOfBuyer(orgId)] }),
    factory: (orgId: string) => ({ index: INDEXES.byCounterparty, partitions: [partitions.requestsOfFactory(orgId)] }),
    all: { index: INDEXES.byKind, partitions: partitions.allRequests.all },
  },
  due: {
    buyer: (orgId: string) => ({ index: INDEXES.byDueOfOwner, partitions: [partitions.dueOfBuyer(orgId)] }),
    factory: (orgId: string) => ({ index: INDEXES.byDueOfCounterparty, partitions: [partitions.dueOfFactory(orgId)] }),
    all: { index: INDEXES.byDate, partitions: partitions.allDue.all },
  },
} as const;

function listIndex(scope: RequestListScope, order: keyof typeof LIST_INDEXES): Pick<IndexQuery, 'index' | 'partitions'> {
  const indexes = LIST_INDEXES[order];
  return scope.by === 'all' ? indexes.all : indexes[scope.by](scope.orgId);
}

/** Newest first by creation, on the tenant's partition. */
function createdQuery(scope: RequestListScope, filter: RequestFilter): IndexQuery {
  return { ...listIndex(scope, 'created'), filter: statusFilter(filter) };
}

/**
 * Through the due-date indexes: the key condition bounds the due date (`<dueDate>#...` sorts
 * below the bare date exactly when the due date lies before it), latest due date first.
 */
function dueQuery(scope: RequestListScope, filter: RequestFilter): IndexQuery {
  const before = [filter.dueBefore, filter.overdueOn].filter((d): d is string => d !== undefined).sort()[0]!;
  return { ...listIndex(scope, 'due'), sortKeyTo: before, filter: statusFilter(filter) };
}
