/**
 * Athena-compatible SQL over the archive: DuckDB over a local copy of the archive objects
 * (tables `audit_events` and `entity_changes`, columns from the same zod schemas as Glue),
 * or Athena itself through the deployed workgroup.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArchiveReader } from '../functions/archive/ports.js';
import { columnsOf, duckdbType, GLUE_TABLES, PARTITION_KEY } from '../functions/schemas/archive.js';

export type Row = Record<string, unknown>;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Runs `sql` with DuckDB over every object of the archive `reader` reads. */
export async function queryArchiveWithDuckDb(reader: ArchiveReader, sql: string): Promise<Row[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'audit-query-'));
  try {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    try {
      for (const table of Object.values(GLUE_TABLES)) {
        let files = 0;
        for await (const listed of reader.list(table.prefix)) {
          if (!listed.key.endsWith('.json.gz')) continue;
          const body = await reader.get(listed.key);
          if (!body) continue;
          const path = join(workDir, listed.key);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, body);
          files++;
        }
        const columns = columnsOf(table.schema, duckdbType);
        if (files === 0) {
          const definition = [...columns.map((c) => `"${c.name}" ${c.type}`), `"${PARTITION_KEY}" VARCHAR`].join(', ');
          await connection.run(`CREATE TABLE ${table.name} (${definition})`);
          continue;
        }
        const struct = columns.map((c) => `${quote(c.name)}: ${quote(c.type)}`).join(', ');
        const glob = join(workDir, table.prefix, `${PARTITION_KEY}=*`, '*.json.gz');
        await connection.run(
          `CREATE VIEW ${table.name} AS SELECT * FROM read_json(${quote(glob)}, format = 'newline_delimited', ` +
            `compression = 'gzip', hive_partitioning = true, hive_types = {'${PARTITION_KEY}': 'VARCHAR'}, columns = {${struct}})`,
        );
      }
      const reader_ = await connection.runAndReadAll(sql);
      return reader_.getRowObjectsJson() as Row[];
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

export interface AthenaQueryOptions {
  readonly workgroup: string;
  readonly database?: string | undefined;
  readonly region?: string | undefined;
  /** @default 120 s */
  readonly timeoutMs?: number;
}

/** Runs `sql` on Athena in the deployed workgroup (its result location and encryption apply). */
export async function queryArchiveWithAthena(sql: string, options: AthenaQueryOptions): Promise<Row[]> {
  const athena = new AthenaClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
    ...(options.region ? { region: options.region } : {}),
  });
  try {
    const started = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: options.workgroup,
        ...(options.database ? { QueryExecutionContext: { Database: options.database } } : {}),
      }),
    );
    const id = started.QueryExecutionId!;
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
      const execution = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = execution.QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new Error(`Athena query ${state}: ${execution.QueryExecution?.Status?.StateChangeReason ?? ''}`);
      }
      if (Date.now() > deadline) throw new Error(`Athena query ${id} did not finish in time`);
      await sleep(wait);
    }
    const rows: Row[] = [];
    let header: string[] | undefined;
    let token: string | undefined;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      for (const row of page.ResultSet?.Rows ?? []) {
        const values = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
        if (!header) {
          header = values.map((v) => v ?? '');
          continue;
        }
        rows.push(Object.fromEntries(header.map((name, i) => [name, values[i] ?? null])));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  } finally {
    athena.destroy();
  }
}

export function formatTable(rows: Row[]): string {
  if (rows.length === 0) return '(0 rows)';
  const names = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = names.map((n) => Math.min(60, Math.max(n.length, ...rows.map((r) => cell(r[n]).length))));
  const line = (values: string[]) => values.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!)).join(' | ');
  return [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map((r) => line(names.map((n) => cell(r[n])))), `(${rows.length} rows)`].join('\n');
}
