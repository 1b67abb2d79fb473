/** The reminder sweep's reads: the byDate index's shards (requests by due date, versions by expiry), a key range each, never a scan. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES } from '../config/table.js';
import type { DateIndex, ExpiringVersion } from '../core/use-cases/reminders.js';
import type { EvidenceRequest } from '../schemas/requests.js';
import { partitions, stripKeys } from './dynamo-items.js';
import { queryPage, type IndexQuery } from './dynamo-pages.js';

const PAGE = 100;

async function* everyItem(client: DynamoDBDocumentClient, tableName: string, query: IndexQuery): AsyncIterable<Record<string, unknown>> {
  let cursor: string | undefined;
  do {
    const page = await queryPage(client, tableName, query, { limit: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export class DynamoDateIndex implements DateIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *openRequestsDue(from: string, to: string): AsyncIterable<EvidenceRequest> {
    // `<dueDate>#...` lies between the bare `from` and `to` + '~' exactly when the due date is within [from, to].
    yield* mapItems(
      everyItem(this.client, this.tableName, {
        index: INDEXES.byDate,
        partitions: partitions.allDue.all,
        sortKeyFrom: from,
        sortKeyTo: `${to}~`,
        filter: { expression: 'NOT #status IN (:completed, :cancelled)', names: { '#status': 'status' }, values: { ':completed': 'COMPLETED', ':cancelled': 'CANCELLED' } },
      }),
      (item) => stripKeys<EvidenceRequest>(item),
    );
  }

  async *versionsExpiring(from: string, to: string): AsyncIterable<ExpiringVersion> {
    yield* mapItems(
      everyItem(this.client, this.tableName, { index: INDEXES.byDate, partitions: partitions.allExpiring.all, sortKeyFrom: from, sortKeyTo: `${to}~` }),
      (item) => ({ evidenceId: String(item['evidenceId']), version: Number(item['version']), expiresAt: String(item['expiresAt']) }),
    );
  }
}

async function* mapItems<T>(items: AsyncIterable<Record<string, unknown>>, map: (item: Record<string, unknown>) => T): AsyncIterable<T> {
  for await (const item of items) yield map(item);
}
