/**
 * The directory on DynamoDB: organisation items, user items (guarded by a revision), the
 * username reservations, and, at erasure, the destruction of the user's personal-data key.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES } from '../config/table.js';
import { ConflictError } from '../core/errors.js';
import type {
  DirectoryRepository,
  OrganisationDirectory,
  OrganisationListFilter,
  OrganisationRecord,
  Page,
  PageRequest,
  RevisionGuard,
  StoredUser,
  UserListFilter,
  UserRecord,
} from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, keys, organisationItem, partitions, stripKeys, userItem } from './dynamo-items.js';
import { queryPage, type IndexQuery } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
type Filter = NonNullable<IndexQuery['filter']>;

/** Organisations seeded before they had a status or a date read as ACTIVE since the epoch. */
function organisationOf(item: Record<string, unknown>): OrganisationRecord {
  const org = stripKeys<OrganisationRecord>(item);
  return { ...org, status: org.status ?? 'ACTIVE', createdAt: org.createdAt ?? new Date(0).toISOString() };
}

function and(parts: Array<Filter | undefined>): Filter | undefined {
  const present = parts.filter((p): p is Filter => p !== undefined);
  if (present.length === 0) return undefined;
  return {
    expression: present.map((p) => `(${p.expression})`).join(' AND '),
    names: Object.assign({}, ...present.map((p) => p.names)),
    values: Object.assign({}, ...present.map((p) => p.values)),
  };
}

export class DynamoDirectoryRepository implements DirectoryRepository, OrganisationDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async kindOf(orgId: string): Promise<'buyer' | 'factory' | undefined> {
    return (await this.getOrganisation(orgId))?.kind;
  }

  async getOrganisation(orgId: string): Promise<OrganisationRecord | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: keys.organisation(orgId), ConsistentRead: true })));
    return Item ? organisationOf(Item) : undefined;
  }

  async listOrganisations(filter: OrganisationListFilter, page: PageRequest): Promise<Page<OrganisationRecord>> {
    const visible: Filter | undefined = filter.visibleTo && {
      expression: filter.visibleTo.orgId === undefined ? '#kind = :factory' : '#kind = :factory OR #orgId = :own',
      names: { '#kind': 'kind', ...(filter.visibleTo.orgId !== undefined && { '#orgId': 'orgId' }) },
      values: { ':factory': 'factory', ...(filter.visibleTo.orgId !== undefined && { ':own': filter.visibleTo.orgId }) },
    };
    const query: IndexQuery = {
      index: INDEXES.byKind,
      partitions: [partitions.allOrganisations],
      filter: and([
        visible,
        filter.kind ? { expression: '#kind = :kind', names: { '#kind': 'kind' }, values: { ':kind': filter.kind } } : undefined,
        filter.namePrefix ? { expression: 'begins_with(#nameLower, :prefix)', names: { '#nameLower': 'nameLower' }, values: { ':prefix': filter.namePrefix.toLowerCase() } } : undefined,
      ]),
    };
    const result = await queryPage(this.client, this.settings.tableName, query, page);
    return { ...result, items: result.items.map(organisationOf) };
  }

  async createOrganisation(org: OrganisationRecord, audit: AuditEvent): Promise<void> {
    await this.write([{ Put: { TableName: this.settings.tableName, Item: organisationItem(org), ConditionExpression: 'attribute_not_exists(pk)' } }, auditPut(audit, this.settings)]);
  }

  async suspendOrganisation(next: OrganisationRecord, audit: AuditEvent): Promise<void> {
    await this.write([
      {
        Put: {
          TableName: this.settings.tableName,
          Item: organisationItem(next),
          // Seeded organisations carry no status: they are ACTIVE.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#status) OR #status = :active)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'ACTIVE' },
        },
      },
      auditPut(audit, this.settings),
    ]);
  }

  async getUser(userId: string): Promise<StoredUser | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: keys.user(userId), ConsistentRead: true })));
    return Item ? { user: stripKeys<UserRecord>(Item), revision: Item.revision as number } : undefined;
  }

  async findUserByUsername(username: string): Promise<StoredUser | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: keys.username(username), ConsistentRead: true })));
    return typeof Item?.userId === 'string' ? this.getUser(Item.userId) : undefined;
  }

  async listUsers(filter: UserListFilter, page: PageRequest): Promise<Page<UserRecord>> {
    const role: Filter | undefined = filter.role && { expression: '#role = :role', names: { '#role': 'role' }, values: { ':role': filter.role } };
    const query: IndexQuery =
      filter.orgId !== undefined
        ? { index: INDEXES.byOwner, partitions: [partitions.membersOf(filter.orgId)], filter: role }
        : filter.role !== undefined
          ? { index: INDEXES.byCounterparty, partitions: [partitions.usersInRole(filter.role)] }
          : { index: INDEXES.byKind, partitions: [partitions.allUsers] };
    const result = await queryPage(this.client, this.settings.tableName, query, page);
    return { ...result, items: result.items.map((item) => stripKeys<UserRecord>(item)) };
  }

  async createUser(user: UserRecord, audit: AuditEvent): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.settings.tableName, Item: { ...keys.username(user.username), entity: 'username', userId: user.userId }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.settings.tableName, Item: userItem(user, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
            auditPut(audit, this.settings),
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new ConflictError('username-taken', `The username ${user.username} is taken`, { cause: error });
      }
      await dynamo(() => Promise.reject(error));
    }
  }

  async updateUser(next: UserRecord, expectedRevision: number, audit: AuditEvent, unchanged?: RevisionGuard): Promise<void> {
    await this.write([this.userPut(next, expectedRevision), auditPut(audit, this.settings), ...this.guard(unchanged)]);
  }

  async eraseUser(next: UserRecord, expectedRevision: number, previousUsername: string, audit: AuditEvent, unchanged?: RevisionGuard): Promise<void> {
    await this.write([
      ...this.guard(unchanged),
      this.userPut(next, expectedRevision),
      { Delete: { TableName: this.settings.tableName, Key: keys.username(previousUsername) } },
      // The key is replaced by a tombstone, so no later write can make a new one for this user.
      { Put: { TableName: this.settings.tableName, Item: { ...keys.userKey(next.userId), entity: 'user-key', userId: next.userId, destroyedAt: next.erasedAt } } },
      auditPut(audit, this.settings),
    ]);
  }

  private guard(unchanged: RevisionGuard | undefined) {
    if (!unchanged) return [];
    return [
      {
        ConditionCheck: {
          TableName: this.settings.tableName,
          Key: keys.user(unchanged.userId),
          ConditionExpression: 'revision = :guarded',
          ExpressionAttributeValues: { ':guarded': unchanged.revision },
        },
      },
    ];
  }

  private userPut(next: UserRecord, expectedRevision: number) {
    return {
      Put: {
        TableName: this.settings.tableName,
        Item: userItem(next, expectedRevision + 1),
        ConditionExpression: 'revision = :expected',
        ExpressionAttributeValues: { ':expected': expectedRevision },
      },
    };
  }

  private async write(items: TransactItems): Promise<void> {
    await dynamo(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
  }
}
