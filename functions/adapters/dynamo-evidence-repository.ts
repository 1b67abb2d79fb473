/**
 * Evidence on DynamoDB: one item per evidence holding its versions (append-only), one share
 * item per version a fulfilment made visible to a buyer org, and one grant per pack sharing
 * some of its versions with a buyer org, all in the same partition.
 */
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { existingKeys } from './dynamo-batches.js';
import { INDEXES, PARTITION_KEY, SORT_KEY } from '../config/table.js';
import { ConflictError } from '../core/errors.js';
import type { EvidenceListScope, EvidenceRecord, EvidenceRepository, EvidenceShare, FileStatusChange, PackShareGrant, Page, PageRequest, StoredEvidence, StoredVersion } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import type { Evidence } from '../schemas/evidence.js';
import { dynamo } from './dynamo-errors.js';
import { auditPut, evidenceItem, expiryItem, keys, partitions, stripKeys } from './dynamo-items.js';
import { queryPage } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

/** Keeps an evidence item well below DynamoDB's 400 KB item limit. */
export const MAX_VERSIONS = 200;

export class DynamoEvidenceRepository implements EvidenceRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async get(evidenceId: string): Promise<StoredEvidence | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.settings.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY },
            ExpressionAttributeValues: { ':pk': keys.evidence(evidenceId)[PARTITION_KEY] },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const header = items.find((item) => item[SORT_KEY] === 'EVIDENCE');
    if (!header) return undefined;
    const { versions, ...evidence } = stripKeys<EvidenceRecord>(header);
    const shares = items.filter((item) => item.entity === 'share').map((item) => stripKeys<EvidenceShare>(item));
    return { evidence, versions, shares: [...shares, ...(await this.packShares(items))] };
  }

  /**
   * The versions packs share (the second source of sharing): a grant counts only once its pack
   * exists, since a factory's pack writes its grants before the pack itself.
   */
  private async packShares(items: readonly Record<string, unknown>[]): Promise<EvidenceShare[]> {
    const grants = items.filter((item) => item.entity === 'pack-share').map((item) => stripKeys<PackShareGrant>(item));
    if (grants.length === 0) return [];
    const stored = await existingKeys(this.client, this.settings.tableName, [...new Set(grants.map((g) => g.packId))].map((id) => keys.pack(id)));
    return grants
      .filter((grant) => stored.has(keys.pack(grant.packId)[PARTITION_KEY]))
      .flatMap((grant) => grant.versions.map((version) => ({ evidenceId: grant.evidenceId, buyerOrgId: grant.buyerOrgId, version, sharedAt: grant.sharedAt, packId: grant.packId })));
  }

  async create(evidence: Omit<Evidence, 'versions'>, first: StoredVersion, audit: AuditEvent): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.settings.tableName,
                Item: evidenceItem({ ...evidence, versions: [first] }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit, this.settings),
            ...this.expiryPut(evidence.evidenceId, first),
          ],
        }),
      ),
    );
  }

  async appendVersion(evidenceId: string, expectedLatest: number, version: StoredVersion, audit: AuditEvent): Promise<void> {
    if (version.version > MAX_VERSIONS) throw new ConflictError('too-many-versions', `An evidence holds at most ${MAX_VERSIONS} versions`);
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.settings.tableName,
                Key: keys.evidence(evidenceId),
                UpdateExpression: 'SET versions = list_append(versions, :version), latestVersion = :next, updatedAt = :at',
                ConditionExpression: 'latestVersion = :expected',
                ExpressionAttributeValues: {
                  ':version': [version],
                  ':next': version.version,
                  ':at': version.createdAt,
                  ':expected': expectedLatest,
                },
              },
            },
            auditPut(audit, this.settings),
            ...this.expiryPut(evidenceId, version),
          ],
        }),
      ),
    );
  }

  /** A version that expires is also indexed by its expiry, for the reminders. */
  private expiryPut(evidenceId: string, version: StoredVersion) {
    if (version.expiresAt === undefined) return [];
    return [{ Put: { TableName: this.settings.tableName, Item: expiryItem(evidenceId, version.version, version.expiresAt) } }];
  }

  async setFileStatus(change: FileStatusChange, audit: AuditEvent): Promise<void> {
    // Versions are appended in order under a guard on latestVersion, so version n sits at index n - 1;
    // the condition checks it anyway, with the file id and the statuses the change may leave.
    const at = `versions[${change.version - 1}]`;
    const from = Object.fromEntries(change.from.map((status, i) => [`:from${i}`, status]));
    await dynamo(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.settings.tableName,
                Key: keys.evidence(change.evidenceId),
                UpdateExpression: `SET ${at}.#file.#status = :to`,
                ConditionExpression: `${at}.#version = :version AND ${at}.#file.#fileId = :fileId AND ${at}.#file.#status IN (${Object.keys(from).join(', ')})`,
                ExpressionAttributeNames: { '#file': 'file', '#status': 'status', '#version': 'version', '#fileId': 'fileId' },
                ExpressionAttributeValues: { ':to': change.to, ':version': change.version, ':fileId': change.fileId, ...from },
              },
            },
            auditPut(audit, this.settings),
          ],
        }),
      ),
    );
  }

  async list(scope: EvidenceListScope, filter: { docType?: string | undefined }, page: PageRequest): Promise<Page<EvidenceRecord>> {
    const result = await queryPage(
      this.client,
      this.settings.tableName,
      {
        ...(scope.by === 'factory'
          ? { index: INDEXES.byOwner, partitions: [partitions.evidenceOfFactory(scope.factoryId)] }
          : { index: INDEXES.byKind, partitions: partitions.allEvidence.all }),
        ...(filter.docType !== undefined && {
          filter: { expression: '#docType = :docType', names: { '#docType': 'docType' }, values: { ':docType': filter.docType } },
        }),
      },
      page,
    );
    return { ...result, items: result.items.map((item) => stripKeys<EvidenceRecord>(item)) };
  }

}
