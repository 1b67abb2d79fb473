/**
 * Pack builds: time and peak memory of the production builder for a pack of 100 files and for
 * one 1 GiB file, each built in a child process (bench/pack-build-child.ts) against a local S3
 * store this process runs. The sources are written straight into the store (the API caps an
 * evidence file at 100 MiB; the builder has no cap of its own, and memory must not grow with size).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createArchiveS3Client } from '../functions/adapters/s3-archive-store.js';
import { evidenceFileKey } from '../functions/core/evidence-files.js';
import type { StoredEvidence } from '../functions/core/ports.js';
import type { Pack } from '../functions/schemas/packs.js';
import { startLocalS3 } from '../local/s3-local.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MIB = 1024 ** 2;

export interface PackBuildFigures {
  readonly name: string;
  readonly files: number;
  readonly bytesIn: number;
  readonly zipBytes: number;
  readonly ms: number;
  readonly maxRssMiB: number;
}

/** Deterministic bytes, `size` of them, streamed in 1 MiB chunks (never held whole): a random block, each chunk stamped with its index. */
function pseudoRandom(size: number, seed: number): Readable {
  const block = createHash('sha512').update(String(seed)).digest();
  const base = Buffer.alloc(MIB);
  for (let i = 0; i < MIB; i += block.length) block.copy(base, i);
  let left = size;
  let index = 0;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(MIB, left);
      const chunk = Buffer.from(base.subarray(0, n));
      chunk.writeUInt32BE(index++, 0);
      left -= n;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function measurePackBuild(name: string, fileCount: number, fileSize: number): Promise<PackBuildFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-packs-'));
  const s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: ['evidence', 'packs'] });
  const client = createArchiveS3Client({ endpoint: s3.endpoint });
  // Seeding a 1 GiB object takes longer than the functions' 5 s request timeout allows.
  const seeder = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'eu-west-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const at = '2026-12-01T10:00:00.000Z';
    const evidence: StoredEvidence[] = [];
    for (let i = 0; i < fileCount; i++) {
      const evidenceId = `evd_BENCH${String(i).padStart(4, '0')}`;
      const fileId = `filbench${i}`;
      const key = evidenceFileKey({ factoryId: 'F001', evidenceId, version: 1, fileId });
      if (fileSize > 64 * MIB) await new Upload({ client: seeder, params: { Bucket: 'evidence', Key: key, Body: pseudoRandom(fileSize, i) }, partSize: 16 * MIB }).done();
      else {
        const chunks: Buffer[] = [];
        for await (const chunk of pseudoRandom(fileSize, i)) chunks.push(chunk as Buffer);
        await seeder.send(new PutObjectCommand({ Bucket: 'evidence', Key: key, Body: Buffer.concat(chunks) }));
      }
      const sha256 = await sha256Of(pseudoRandom(fileSize, i));
      evidence.push({
        evidence: { evidenceId, factoryId: 'F001', name: `Doc ${i}`, docType: 'certificate', latestVersion: 1, createdAt: at, updatedAt: at },
        versions: [{ version: 1, createdAt: at, createdBy: 'bench', file: { fileName: `doc-${i}.pdf`, contentType: 'application/pdf', size: fileSize, sha256, status: 'AVAILABLE', fileId } }],
        shares: [],
      });
    }
    const pack: Pack = {
      packId: `pck_BENCH_${name}`,
      title: name,
      ownerOrgId: 'F001',
      sharedWithOrgId: 'B001',
      status: 'PENDING',
      items: evidence.map((e) => ({ evidenceId: e.evidence.evidenceId, version: 1, name: e.evidence.name, docType: 'certificate', fileName: e.versions[0]!.file!.fileName, sha256: e.versions[0]!.file!.sha256 })),
      createdAt: at,
      createdBy: 'bench',
      expiresAt: '2026-12-31T10:00:00.000Z',
    };
    const jobFile = join(dir, 'job.json');
    writeFileSync(jobFile, JSON.stringify({ endpoint: s3.endpoint, evidenceBucket: 'evidence', packsBucket: 'packs', keyFile: join(dir, 'key.pem'), pack, evidence }));
    // Asynchronously: the store the child reads and writes runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/pack-build-child.ts'), jobFile], { cwd: ROOT, maxBuffer: 1024 * 1024, timeout: 900_000 });
    const result = JSON.parse(stdout) as { ms: number; maxRssMiB: number; size: number };
    return { name, files: fileCount, bytesIn: fileCount * fileSize, zipBytes: result.size, ms: result.ms, maxRssMiB: result.maxRssMiB };
  } finally {
    client.destroy();
    seeder.destroy();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
