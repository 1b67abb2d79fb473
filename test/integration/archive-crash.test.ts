import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import { startArchiveRuntime } from '../../local/archive-runtime.js';
import { localArchivePaths } from '../../local/s3-local.js';
import { readCheckpoints } from '../../local/stream-poller.js';
import { readArchive, writeRequestWithAudit } from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

function startChild(table: TestTable, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/archive-runtime-child.ts', table.endpoint, table.tableName, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`archive runtime exited early (${code})`)));
  });
}

describe('npm start killed at any moment', () => {
  let table: TestTable;
  let dataDir: string;
  beforeAll(async () => {
    table = await createTestTable('archive-crash');
    dataDir = mkdtempSync(join(tmpdir(), 'archive-crash-'));
  });
  afterAll(() => {
    table.client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and doubles nothing when the archive process is SIGKILLed mid-stream and restarted', async () => {
    let writing = true;
    let kills = 0;
    const written: Awaited<ReturnType<typeof writeRequestWithAudit>>[] = [];
    const writer = (async () => {
      // At least 200 writes, and more until the last kill, so there is always a batch to kill.
      for (let i = 0; i < 40 || kills < 3; i++) {
        written.push(...(await Promise.all(Array.from({ length: 5 }, () => writeRequestWithAudit(table.client, table.tableName)))));
        await new Promise((r) => setTimeout(r, 25));
      }
      writing = false;
    })();
    // Three kills, each while a batch is in flight: the poller's checkpoint file names a
    // batch handed to the archiver and not yet acknowledged, both when the test pulls the
    // trigger and in the file the dead process left. A kill that missed (the batch finished
    // in between) is not counted, and the runtime is started again.
    const { checkpointFile } = localArchivePaths(dataDir);
    const inFlight = () => Object.values(readCheckpoints(checkpointFile).streams).flatMap((shards) => Object.values(shards)).filter((cp) => cp.pending);
    let attempts = 0;
    for (const lifetime of [250, 400, 600]) {
      for (let killedMidBatch = false; !killedMidBatch; ) {
        expect(attempts++, 'attempts to kill the archive runtime with a batch in flight').toBeLessThan(30);
        const child = await startChild(table, dataDir);
        const started = Date.now();
        const exited = new Promise((r) => child.once('exit', r));
        while (Date.now() - started < 15_000 && (Date.now() - started < lifetime || inFlight().length === 0)) await new Promise((r) => setTimeout(r, 2));
        child.kill('SIGKILL');
        await exited;
        killedMidBatch = inFlight().length > 0;
      }
      kills++;
    }
    await writer;
    expect(writing).toBe(false);

    const runtime = await startArchiveRuntime({ dynamodbEndpoint: table.endpoint, tableName: table.tableName, dataDir, exportIntervalMs: 0, pollIntervalMs: 20 });
    try {
      await runtime.poller.caughtUp(20_000);
      const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: runtime.s3Endpoint }), runtime.bucket);
      const audit = (await readArchive(store, 'audit/')).map((a) => a.record['eventId'] as string);
      const changes = (await readArchive(store, 'changes/')).map((c) => c.record['entityId'] as string);
      expect(kills, 'kills with a batch in flight').toBe(3);
      expect(written.length).toBeGreaterThanOrEqual(200);
      expect(audit).toHaveLength(written.length);
      expect(new Set(audit)).toEqual(new Set(written.map((w) => w.event.eventId)));
      expect(changes).toHaveLength(written.length);
      expect(new Set(changes)).toEqual(new Set(written.map((w) => w.request.requestId)));
    } finally {
      await runtime.stop();
    }
  }, 180_000);
});
