/**
 * Packs and share links on DynamoDB. A pack is one item (`PACK#<id>` / `PACK`) listed under its
 * owner org, plus, when shared, a copy listed under the org it is shared with (`/ SHARED`), so
 * one index partition per org holds "own packs and packs shared with it". A factory's pack also
 * writes one grant per evidence (`EVIDENCE#<id>` / `PACKSHARE#<buyer>#<pack>`), read by the
 * evidence repository as the second source of sharing. Links live in the pack's partition; a
 * token is found through the SHA-256 of it (`SHARETOKEN#<hash>`), never stored itself.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES, PARTITION_KEY, SORT_KEY } from '../config/table.js';
import type { ManifestSignature, Page, PackBuildResult, PackListScope, PackRepository, PackShareGrant, PageRequest, StoredPack } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import type { Pack, PackStatus, ShareLink } from '../schemas/packs.js';
import { putAll } from './dynamo-batches.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, ITEM_SCHEMA_VERSION, keys, listedIn, partitions, stripKeys } from './dynamo-items.js';
import { queryPage } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

const { byOwner, byKind } = INDEXES;
const SIGNATURE_ATTRIBUTE = 'manifestSignature';

function packItems(pack: Pack): Record<string, unknown>[] {
  const sortKey = `${pack.createdAt}#${pack.packId}`;
  const header = {
    ...keys.pack(pack.packId),
    entity: 'pack',
    schemaVersion: ITEM_SCHEMA_VERSION,
    ...listedIn(sortKey, { byOwner: partitions.packsOfOrg(pack.ownerOrgId), byKind: partitions.allPacks.of(pack.packId) }),
    ...pack,
  };
  if (pack.sharedWithOrgId === undefined) return [header];
  const listed = {
    ...keys.packListedForSharedOrg(pack.packId),
    entity: 'pack-listing',
    schemaVersion: ITEM_SCHEMA_VERSION,
    ...listedIn(sortKey, { byOwner: partitions.packsOfOrg(pack.sharedWithOrgId) }),
    ...pack,
  };
  return [header, listed];
}

function packOf(item: Record<string, unknown>): Pack {
  const { [SIGNATURE_ATTRIBUTE]: _signature, ...pack } = stripKeys<Pack & { [SIGNATURE_ATTRIBUTE]?: unknown }>(item);
  return pack;
}

export class DynamoPackRepository implements PackRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  private get table(): string {
    return this.settings.tableName;
  }

  async get(packId: string): Promise<StoredPack | undefined> {
    const answer = await dynamo(() => this.client.send(new GetCommand({ TableName: this.table, Key: keys.pack(packId), ConsistentRead: true })));
    if (!answer.Item) return undefined;
    const signature = answer.Item[SIGNATURE_ATTRIBUTE] as ManifestSignature | undefined;
    return { pack: packOf(answer.Item), ...(signature && { signature }) };
  }

  async create(pack: Pack, grants: readonly PackShareGrant[], audit: AuditEvent): Promise<void> {
    // Grants first: they share nothing until the pack below exists (see DynamoEvidenceRepository).
    await putAll(
      this.client,
      this.table,
      grants.map((grant) => ({ ...keys.packGrant(grant), entity: 'pack-share', schemaVersion: ITEM_SCHEMA_VERSION, ...grant })),
    );
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...packItems(pack).map((Item) => ({ Put: { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async list(scope: PackListScope, filter: { status?: PackStatus | undefined }, page: PageRequest): Promise<Page<Pack>> {
    const result = await queryPage(
      this.client,
      this.table,
      {
        ...(scope.by === 'org' ? { index: byOwner, partitions: [partitions.packsOfOrg(scope.orgId)] } : { index: byKind, partitions: partitions.allPacks.all }),
        ...(filter.status !== undefined && { filter: { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': filter.status } } }),
      },
      page,
    );
    return { ...result, items: result.items.map(packOf) };
  }

  async keepSignature(packId: string, signature: ManifestSignature): Promise<ManifestSignature> {
    const answer = await dynamo(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.pack(packId),
          UpdateExpression: 'SET #signature = if_not_exists(#signature, :signature)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#signature': SIGNATURE_ATTRIBUTE },
          ExpressionAttributeValues: { ':signature': signature },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return answer.Attributes![SIGNATURE_ATTRIBUTE] as ManifestSignature;
  }

  async finish(packId: string, result: PackBuildResult, audit: AuditEvent): Promise<void> {
    const stored = await this.get(packId);
    const targets = stored?.pack.sharedWithOrgId !== undefined ? [keys.pack(packId), keys.packListedForSharedOrg(packId)] : [keys.pack(packId)];
    const values: Record<string, unknown> =
      result.status === 'READY'
        ? { ':status': 'READY', ':readyAt': result.readyAt, ':size': result.size, ':sha256': result.sha256, ':pending': 'PENDING' }
        : { ':status': 'FAILED', ':reason': result.failureReason, ':pending': 'PENDING' };
    const update = result.status === 'READY' ? 'SET #status = :status, readyAt = :readyAt, #size = :size, sha256 = :sha256' : 'SET #status = :status, failureReason = :reason';
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...targets.map((Key) => ({
              Update: {
                TableName: this.table,
                Key,
                UpdateExpression: update,
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status', ...(result.status === 'READY' && { '#size': 'size' }) },
                ExpressionAttributeValues: values,
              },
            })),
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async createLink(link: ShareLink, tokenHash: string, audit: AuditEvent): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.shareLink(link.packId, link.linkId), entity: 'share-link', schemaVersion: ITEM_SCHEMA_VERSION, ...link },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.shareToken(tokenHash), entity: 'share-token', schemaVersion: ITEM_SCHEMA_VERSION, packId: link.packId, linkId: link.linkId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async listLinks(packId: string): Promise<ShareLink[]> {
    const links: ShareLink[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :link)',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
            ExpressionAttributeValues: { ':pk': keys.pack(packId)[PARTITION_KEY], ':link': 'LINK#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      links.push(...(page.Items ?? []).map((item) => stripKeys<ShareLink>(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return links;
  }

  async getLink(packId: string, linkId: string): Promise<ShareLink | undefined> {
    const answer = await dynamo(() => this.client.send(new GetCommand({ TableName: this.table, Key: keys.shareLink(packId, linkId), ConsistentRead: true })));
    return answer.Item && stripKeys<ShareLink>(answer.Item);
  }

  private linkUpdate(packId: string, linkId: string, expression: string, values: Record<string, unknown>, audit: AuditEvent) {
    return dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.shareLink(packId, linkId),
                UpdateExpression: expression,
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: values,
              },
            },
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async revokeLink(packId: string, linkId: string, at: string, audit: AuditEvent): Promise<void> {
    await this.linkUpdate(packId, linkId, 'SET revokedAt = if_not_exists(revokedAt, :at)', { ':at': at }, audit);
  }

  async findLink(tokenHash: string): Promise<ShareLink | undefined> {
    const answer = await dynamo(() => this.client.send(new GetCommand({ TableName: this.table, Key: keys.shareToken(tokenHash), ConsistentRead: true })));
    if (!answer.Item) return undefined;
    return this.getLink(String(answer.Item.packId), String(answer.Item.linkId));
  }

  async recordAccess(packId: string, linkId: string, at: string, audit: AuditEvent): Promise<void> {
    await this.linkUpdate(packId, linkId, 'SET lastAccessAt = :at ADD accessCount :one', { ':at': at, ':one': 1 }, audit);
  }
}
