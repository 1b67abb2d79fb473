/**
 * The restore drill on DynamoDB Local: export the table to a file (DynamoDB JSON lines, as
 * ExportTableToPointInTime writes them), import that file into a fresh table of the same
 * definition, then compare the copy with the source and with the archive.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { auditPrefixes, readArchivedAuditRecords } from '../functions/backup/archive-audit.js';
import type { DrillReport } from '../functions/backup/compare.js';
import { evaluateDrill } from '../functions/backup/drill.js';
import type { ArchiveReader } from '../functions/archive/ports.js';
import { createTableInput } from '../functions/config/table.js';

type RawItem = Record<string, AttributeValue>;

async function scanRaw(client: DynamoDBClient, tableName: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let start: RawItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Writes every item to `<dir>/<table>-<stamp>.json.gz`, one `{"Item": ...}` per line; returns the file. */
export async function exportTableToFile(client: DynamoDBClient, tableName: string, dir: string, stamp: string): Promise<{ file: string; items: number }> {
  const items = await scanRaw(client, tableName);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${tableName}-${stamp}.json.gz`);
  writeFileSync(file, gzipSync(items.map((Item) => JSON.stringify({ Item })).join('\n') + '\n'));
  return { file, items: items.length };
}

/** Creates `tableName` from the production definition and loads the export file into it. */
export async function importTableFromFile(client: DynamoDBClient, file: string, tableName: string): Promise<number> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 }, { TableName: tableName });
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
  const items = lines.map((line) => (JSON.parse(line) as { Item: RawItem }).Item);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`import into ${tableName}: items still unprocessed after ${attempt} attempts`);
      const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (answer.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (requests.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  return items.length;
}

export interface LocalDrillOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly archive: ArchiveReader;
  /** Where the export file is written. */
  readonly backupDir: string;
  /** Keep the restored table for inspection. @default false */
  readonly keep?: boolean;
  readonly now?: Date;
}

export interface LocalDrillResult {
  readonly report: DrillReport;
  readonly exportFile: string;
  readonly restoredTable: string;
}

export async function runLocalDrill(options: LocalDrillOptions): Promise<LocalDrillResult> {
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:.]/g, '');
  const { file } = await exportTableToFile(options.client, options.tableName, options.backupDir, stamp);
  const restoredTable = `${options.tableName}-drill-${stamp}`;
  try {
    await importTableFromFile(options.client, file, restoredTable);
    const [source, restored, archive] = await Promise.all([
      scanRaw(options.client, options.tableName),
      scanRaw(options.client, restoredTable),
      readArchivedAuditRecords(options.archive, auditPrefixes()),
    ]);
    const report = evaluateDrill({
      sourceName: options.tableName,
      restoredName: restoredTable,
      source: source.map((item) => unmarshall(item)),
      restored: restored.map((item) => unmarshall(item)),
      archive,
    });
    return { report, exportFile: file, restoredTable };
  } finally {
    if (!options.keep) await options.client.send(new DeleteTableCommand({ TableName: restoredTable })).catch(() => undefined);
  }
}
