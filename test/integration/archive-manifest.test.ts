import type { Logger } from '../../functions/archive/archive-batch.js';
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditEventSource, DynamoManifestHeadStore } from '../../functions/adapters/dynamodb-archive-state.js';
import { LocalKeyManifestSigner } from '../../functions/adapters/local-key-signer.js';
import { parseSignedManifest } from '../../functions/archive/manifest.js';
import type { AuditEventSource } from '../../functions/archive/ports.js';
import { verifyArchive } from '../../functions/archive/verify-archive.js';
import { createHandler as createArchiver } from '../../functions/jobs/archiver.js';
import { createHandler as createExport, ReconciliationMismatchError } from '../../functions/jobs/export.js';
import { LOCAL_ARCHIVE_BUCKET } from '../../local/s3-local.js';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller.js';
import { startArchiveHarness, writeAuditEvents, writeRequestWithAudit, type ArchiveHarness } from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

const quiet: Logger = { info: () => {}, error: () => {} };

describe('manifests, export and verify', () => {
  let table: TestTable;
  let harness: ArchiveHarness;
  let poller: StreamPoller;
  let signer: LocalKeyManifestSigner;
  let heads: DynamoManifestHeadStore;

  const exportWith = (auditEvents: AuditEventSource = new DynamoAuditEventSource(table.client, table.tableName), log = quiet) =>
    createExport({ reader: harness.store, writer: harness.store, head: heads, auditEvents, signer, settleMs: 0, log })();
  const verify = async () => verifyArchive({ reader: harness.store, keys: signer, head: await heads.get() });
  const raw = async (key: string) => (await harness.store.get(key))!;
  const put = (key: string, body: Uint8Array) => harness.client.send(new PutObjectCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, Key: key, Body: body }));
  const remove = (key: string) => harness.client.send(new DeleteObjectCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, Key: key }));
  const copy = (from: string, to: string) =>
    harness.client.send(new CopyObjectCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, Key: to, CopySource: `${LOCAL_ARCHIVE_BUCKET}/${from}` }));

  beforeAll(async () => {
    [table, harness] = await Promise.all([createTestTable('manifest'), startArchiveHarness()]);
    signer = new LocalKeyManifestSigner(join(harness.dataDir, 'signing-key.pem'));
    heads = new DynamoManifestHeadStore(table.client, table.tableName);
    poller = startStreamPoller({
      dynamodb: table.client,
      dynamodbEndpoint: table.endpoint,
      tableName: table.tableName,
      checkpointFile: join(harness.dataDir, 'checkpoints.json'),
      invoke: createArchiver({ writer: harness.store, log: quiet }),
      pollIntervalMs: 50,
    });
    await Promise.all(Array.from({ length: 10 }, () => writeRequestWithAudit(table.client, table.tableName)));
    await writeAuditEvents(table.client, table.tableName, 25);
    await poller.caughtUp();
  });
  afterAll(async () => {
    await poller.stop();
    await harness.close();
    table.client.destroy();
  });

  it('seals every archived object into a signed manifest anchored in the table, and reconciles', async () => {
    const result = await exportWith();
    expect(result.sequence).toBe(1);
    expect(result.reconciliation).toMatchObject({ status: 'MATCH', tableAuditEvents: 35, archivedAuditEvents: 35 });
    const signed = parseSignedManifest(await raw(result.manifestKey))!;
    expect(signed.manifest.manifestKey).toBe(result.manifestKey);
    expect(signed.manifest.previous).toBeNull();
    expect(signed.manifest.objects.length).toBeGreaterThan(1);
    expect(signed.manifest.objects.reduce((n, o) => n + o.records, 0)).toBe(45);
    for (const entry of signed.manifest.objects) expect(entry).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number) });
    expect(await heads.get()).toMatchObject({ key: result.manifestKey, sequence: 1 });
    const report = await verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('writes a manifest for a quiet period and chains it to the previous one', async () => {
    const first = (await heads.get())!;
    const quietResult = await exportWith();
    const signed = parseSignedManifest(await raw(quietResult.manifestKey))!;
    expect(signed.manifest.objects).toEqual([]);
    expect(signed.manifest.previous).toMatchObject({ key: first.key, sha256: first.sha256 });
    await writeAuditEvents(table.client, table.tableName, 5);
    await poller.caughtUp();
    const third = await exportWith();
    expect(third).toMatchObject({ sequence: 3, reconciliation: { status: 'MATCH', tableAuditEvents: 5 } });
    // The poller may have read the five events in one batch or several.
    const sealed = parseSignedManifest(await raw(third.manifestKey))!.manifest.objects;
    expect(sealed.reduce((n, o) => n + o.records, 0)).toBe(5);
    const report = await verify();
    expect(report.summary).toMatch(/^INTACT: 3 manifests/);
  });

  it('names an altered object, then passes again once it is restored', async () => {
    const [key] = parseSignedManifest(await raw((await heads.get())!.key))!.manifest.objects.map((o) => o.key);
    const original = await raw(key!);
    await put(key!, Buffer.concat([original, Buffer.from('x')]));
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'altered', key })]);
    await put(key!, original);
    expect((await verify()).ok).toBe(true);
  });

  it('names a deleted object and a moved object', async () => {
    const { manifest } = parseSignedManifest(await raw(((await heads.get())!).key))!;
    const first = parseSignedManifest(await raw(manifest.previous!.key))!.manifest.previous!;
    const objects = parseSignedManifest(await raw(first.key))!.manifest.objects;
    const [deleted, moved] = [objects[0]!.key, objects[1]!.key];
    const deletedBody = await raw(deleted);
    await remove(deleted);
    const elsewhere = moved.replace(/dt=\d{4}-\d{2}-\d{2}/, 'dt=2001-01-01');
    await copy(moved, elsewhere);
    await remove(moved);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing', key: deleted }),
        expect.objectContaining({ kind: 'moved', key: moved, detail: expect.stringContaining(elsewhere) }),
      ]),
    );
    expect(report.problems).toHaveLength(2);
    expect(report.summary).toMatch(/^FAILED: .*problems: (1 moved, 1 missing|1 missing, 1 moved)$/);
    await put(deleted, deletedBody);
    await copy(elsewhere, moved);
    await remove(elsewhere);
    expect((await verify()).ok).toBe(true);
  });

  it('names an altered manifest', async () => {
    const head = (await heads.get())!;
    const middle = parseSignedManifest(await raw(head.key))!.manifest.previous!.key;
    const original = await raw(middle);
    const forged = Buffer.from(Buffer.from(original).toString('utf8').replace('"objects":[]', '"objects":[ ]'));
    await put(middle, forged);
    const report = await verify();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'altered', key: middle })]);
    await put(middle, original);
    expect((await verify()).ok).toBe(true);
  });

  it('detects that the newest manifest was removed', async () => {
    const head = (await heads.get())!;
    const original = await raw(head.key);
    await remove(head.key);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'missing', key: head.key })]));
    await put(head.key, original);
    expect((await verify()).ok).toBe(true);
  });

  it('records a reconciliation mismatch in the manifest and fails the export', async () => {
    const errors: string[] = [];
    const withGhost: AuditEventSource = { eventIdsBetween: async () => ['ghost-event-never-archived'] };
    const failed = exportWith(withGhost, { info: () => {}, error: (message: string) => void errors.push(message) });
    await expect(failed).rejects.toBeInstanceOf(ReconciliationMismatchError);
    expect(errors).toEqual([expect.stringContaining('reconciliation mismatch')]);
    const head = (await heads.get())!;
    expect(parseSignedManifest(await raw(head.key))!.manifest.reconciliation).toMatchObject({
      status: 'MISMATCH',
      missingFromArchive: ['ghost-event-never-archived'],
    });
    const report = await verify();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'reconciliation-mismatch', key: head.key })]);
  });
});
