/** The audit trail on DynamoDB: events are put once and never updated or deleted by code. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES, TABLE_KEYS } from '../config/table.js';
import type { AuditFilter, AuditLog, Page, PageRequest } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import { dynamo } from './dynamo-errors.js';
import { auditItem, keys, partitions, stripKeys } from './dynamo-items.js';
import { queryPage, type IndexQuery } from './dynamo-pages.js';
import type { TableSettings } from './dynamo-request-repository.js';

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TableSettings,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    await dynamo(() =>
      this.client.send(
        new PutCommand({
          TableName: this.settings.tableName,
          Item: auditItem(event, this.settings.auditTtlDays),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Reads the narrowest list the filter allows: by resource, by actor (indexes), or every event (the table's log). */
  async list(query: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>> {
    const filter = await this.byUsername(query);
    if (!filter) return { items: [] };
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const equals = (path: string[], value: string | undefined, token: string) => {
      if (value === undefined) return;
      conditions.push(`${path.map((p) => `#${p}`).join('.')} = :${token}`);
      for (const p of path) names[`#${p}`] = p;
      values[`:${token}`] = value;
    };

    let base: Pick<IndexQuery, 'index' | 'partitions'>;
    if (filter.resourceId !== undefined) {
      base = { index: INDEXES.auditByResource, partitions: [partitions.auditOfResource(filter.resourceId)] };
      equals(['actor', 'userId'], filter.actorId, 'actorId');
    } else if (filter.actorId !== undefined) {
      base = { index: INDEXES.auditByActor, partitions: [partitions.auditOfActor(filter.actorId)] };
    } else {
      base = { index: TABLE_KEYS, partitions: partitions.allAudit.all };
    }
    equals(['action'], filter.action, 'action');
    equals(['outcome'], filter.outcome, 'outcome');
    equals(['resource', 'type'], filter.resourceType, 'resourceType');
    if (filter.actorOrgIds?.length) {
      names['#actor'] = 'actor';
      names['#orgId'] = 'orgId';
      const tokens = filter.actorOrgIds.map((orgId, i) => {
        values[`:org${i}`] = orgId;
        return `:org${i}`;
      });
      conditions.push(`#actor.#orgId IN (${tokens.join(', ')})`);
    }

    const result = await queryPage(
      this.client,
      this.settings.tableName,
      {
        ...base,
        // Sort keys are `<occurredAt>#<eventId>`: `from` is inclusive, and `to` excludes events at exactly `to`.
        sortKeyFrom: filter.from,
        sortKeyTo: filter.to,
        ...(conditions.length > 0 && { filter: { expression: conditions.join(' AND '), names, values } }),
      },
      page,
    );
    return { ...result, items: result.items.map((item) => stripKeys<AuditEvent>(item)) };
  }

  /**
   * `actorUsername` names the actor by their current username: resolved to the user id (the
   * name is sealed in the events themselves); undefined when nobody has that name, or it
   * belongs to another user than `actorId`.
   */
  private async byUsername(filter: AuditFilter): Promise<AuditFilter | undefined> {
    const { actorUsername, ...rest } = filter;
    if (actorUsername === undefined) return rest;
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.settings.tableName, Key: keys.username(actorUsername) })));
    const userId = typeof Item?.userId === 'string' ? Item.userId : undefined;
    if (userId === undefined || (rest.actorId !== undefined && rest.actorId !== userId)) return undefined;
    return { ...rest, actorId: userId };
  }
}
