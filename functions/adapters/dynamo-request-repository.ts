/** Requests on DynamoDB: one item per request (its items inside), guarded by a revision number. */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../schemas/audit.js';
import type { EvidenceRequest, RequestStatus } from '../schemas/requests.js';
import type { EvidenceShare, Page, PageRequest, RequestListScope, RequestRepository, StoredRequest } from '../core/ports.js';
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

  async list(scope: RequestListScope, filter: { status?: RequestStatus | undefined }, page: PageRequest): Promise<Page<EvidenceRequest>> {
    const query: IndexQuery = {
      ...(scope.by === 'buyer'
        ? { index: INDEXES.byOwner, partitions: [partitions.requestsOfBuyer(scope.orgId)] }
        : scope.by === 'factory'
          ? { index: INDEXES.byCounterparty, partitions: [partitions.requestsOfFactory(scope.orgId)] }
          : { index: INDEXES.byKind, partitions: partitions.allRequests.all }),
      ...(filter.status && {
        filter: { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': filter.status } },
      }),
    };
    const result = await queryPage(this.client, this.settings.tableName, query, page);
    return { ...result, items: result.items.map((item) => stripKeys<EvidenceRequest>(item)) };
  }

  /** A share is written once; sharing the same version again keeps the first date. */
  private sharePut(share: EvidenceShare) {
    return {
      Update: {
        TableName: this.settings.tableName,
        Key: keys.share(share),
        UpdateExpression: 'SET entity = :entity, evidenceId = :evidenceId, buyerOrgId = :buyerOrgId, version = :version, sharedAt = if_not_exists(sharedAt, :sharedAt)',
        ExpressionAttributeValues: {
          ':entity': 'share',
          ':evidenceId': share.evidenceId,
          ':buyerOrgId': share.buyerOrgId,
          ':version': share.version,
          ':sharedAt': share.sharedAt,
        },
      },
    };
  }

  private async write(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    await dynamo(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
  }
}
