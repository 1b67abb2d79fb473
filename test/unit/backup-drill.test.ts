import { ExportTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ArchiveReader, ListedObject } from '../../functions/archive/ports.js';
import { canonicalJson, summarizeItems } from '../../functions/backup/compare.js';
import { evaluateDrill } from '../../functions/backup/drill.js';
import { drillTableName } from '../../functions/jobs/backup-drill.js';
import { createHandler as createTableExport, TableExportMissingError } from '../../functions/jobs/backup-export.js';

const request = (id: string, updatedAt: string, status = 'OPEN') => ({ pk: `REQUEST#${id}`, sk: 'REQUEST', entity: 'request', requestId: id, status, createdAt: '2026-11-01T00:00:00.000Z', updatedAt });
const audit = (id: string, occurredAt: string, extra: Record<string, unknown> = {}) => ({
  pk: `AUDIT#${id}`, sk: 'AUDIT', entity: 'audit', eventId: id, occurredAt, action: 'request.read', outcome: 'SUCCESS',
  actor: { userId: 'u1', role: 'buyer' }, resource: { type: 'request', id: 'r' }, statusCode: 200, correlationId: 'c', ...extra,
});
const archived = (item: ReturnType<typeof audit>) => {
  const { pk: _pk, sk: _sk, entity: _entity, ttl: _ttl, ...record } = item as Record<string, unknown>;
  return record as never;
};

describe('drill comparison', () => {
  it('hashes content independently of attribute order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    const one = summarizeItems([request('1', '2026-11-02T00:00:00.000Z')]);
    const reordered = summarizeItems([Object.fromEntries(Object.entries(request('1', '2026-11-02T00:00:00.000Z')).reverse())]);
    expect(one).toEqual(reordered);
  });

  it('passes a faithful copy and fails a copy that lost or changed an item', () => {
    const items = [request('1', '2026-11-02T00:00:00.000Z'), audit('e1', '2026-11-02T00:00:00.000Z')];
    const base = { sourceName: 's', restoredName: 'r', source: items, archive: [archived(audit('e1', '2026-11-02T00:00:00.000Z'))] };
    expect(evaluateDrill({ ...base, restored: items }).pass).toBe(true);
    expect(evaluateDrill({ ...base, restored: [items[1]!] }).checks.find((c) => c.name === 'table request')?.pass).toBe(false);
    expect(evaluateDrill({ ...base, restored: [request('1', '2026-11-02T00:00:00.000Z', 'CANCELLED'), items[1]!] }).pass).toBe(false);
  });

  it('at a restore point, leaves out what the source changed after it, on both sides', () => {
    const before = request('1', '2026-11-02T00:00:00.000Z');
    const after = request('1', '2026-11-05T00:00:00.000Z', 'CANCELLED');
    const newer = request('2', '2026-11-05T00:00:00.000Z');
    const report = evaluateDrill({
      sourceName: 's',
      restoredName: 'r',
      source: [after, newer, request('3', '2026-11-01T00:00:00.000Z')],
      restored: [before, request('3', '2026-11-01T00:00:00.000Z')],
      archive: [],
      restorePoint: '2026-11-03T00:00:00.000Z',
    });
    expect(report.checks.find((c) => c.name === 'table request')).toMatchObject({ pass: true, actual: { count: 1 } });
  });

  it('leaves out items TTL may remove at any moment, and excluded types', () => {
    const expiring = { ...audit('old', '2026-08-01T00:00:00.000Z'), ttl: 100 };
    const report = evaluateDrill({
      sourceName: 's',
      restoredName: 'r',
      source: [{ pk: 'SYSTEM#manifest-head', sk: 'manifest-head', sequence: 2 }],
      restored: [expiring, { pk: 'SYSTEM#manifest-head', sk: 'manifest-head', sequence: 1 }],
      archive: [],
      expiringBefore: 1_000,
      excludedTypes: new Set(['system']),
      archiveWindow: { from: '2026-09-01T00:00:00.000Z' },
    });
    expect(report.pass).toBe(true);
  });
});

describe('drill table name', () => {
  it('names the week by its Monday, so the weekly start and the hourly checks agree', () => {
    expect(drillTableName('t', new Date('2026-11-30T05:00:00Z'))).toBe('t-drill-20261130');
    expect(drillTableName('t', new Date('2026-12-06T23:00:00Z'))).toBe('t-drill-20261130');
    expect(drillTableName('t', new Date('2026-12-07T00:00:00Z'))).toBe('t-drill-20261207');
  });
});

describe('daily table export', () => {
  const reader = (keys: string[]): ArchiveReader => ({
    async *list(prefix: string): AsyncIterable<ListedObject> {
      for (const key of keys) if (key.startsWith(prefix)) yield { key, size: 1, lastModified: new Date() };
    },
    get: async () => undefined,
  });
  const run = (keys: string[]) => {
    const sent: ExportTableToPointInTimeCommand[] = [];
    const handler = createTableExport({
      dynamodb: { send: async (command: unknown) => (sent.push(command as ExportTableToPointInTimeCommand), { ExportDescription: { ExportArn: 'arn:x' } }) } as never,
      exports: reader(keys),
      tableArn: 'arn:aws:dynamodb:eu-west-1:1:table/t',
      bucket: 'b',
      kmsKeyArn: 'arn:k',
      clock: () => new Date('2026-12-02T02:30:00Z'),
    });
    return { handler, sent };
  };

  it('starts today\'s export, idempotently, once yesterday\'s completed', async () => {
    const { handler, sent } = run(['exports/2026-12-01/AWSDynamoDB/0001/manifest-summary.json']);
    await expect(handler()).resolves.toMatchObject({ day: '2026-12-02' });
    expect(sent[0]!.input).toMatchObject({ S3Prefix: 'exports/2026-12-02', ClientToken: 'table-export-2026-12-02', S3SseAlgorithm: 'KMS', ExportFormat: 'DYNAMODB_JSON' });
  });

  it('fails (after starting today\'s) when yesterday\'s export never completed', async () => {
    const { handler, sent } = run(['exports/2026-11-30/AWSDynamoDB/0001/manifest-summary.json', 'exports/2026-12-01/AWSDynamoDB/0002/data/x.json.gz']);
    await expect(handler()).rejects.toBeInstanceOf(TableExportMissingError);
    expect(sent).toHaveLength(1);
  });

  it('has nothing to check on its first run', async () => {
    await expect(run([]).handler()).resolves.toMatchObject({ day: '2026-12-02' });
  });
});
