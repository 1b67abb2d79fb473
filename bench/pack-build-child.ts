/**
 * One pack build in a process of its own, so its peak memory (max RSS) is the builder's alone:
 * the production buildPack with the real S3 adapters against the local store the parent runs,
 * the pack and evidence records held in memory (the table is not what a build's size costs).
 * Reads the job from argv[2] (JSON file), prints {ms, maxRssMiB, size} as JSON.
 */
import './env.js';
import { readFileSync } from 'node:fs';
import { LocalKeyManifestSigner } from '../functions/adapters/local-key-signer.js';
import { createArchiveS3Client } from '../functions/adapters/s3-archive-store.js';
import { S3EvidenceObjectReader, S3PackObjectWriter } from '../functions/adapters/s3-pack-files.js';
import type { EvidenceRepository, ManifestSignature, PackRepository, StoredEvidence } from '../functions/core/ports.js';
import { buildPack } from '../functions/core/use-cases/pack-builder.js';
import type { Pack } from '../functions/schemas/packs.js';

interface Job {
  readonly endpoint: string;
  readonly evidenceBucket: string;
  readonly packsBucket: string;
  readonly keyFile: string;
  readonly pack: Pack;
  readonly evidence: StoredEvidence[];
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
let pack = job.pack;
let signature: ManifestSignature | undefined;
const packs = {
  get: async () => ({ pack, ...(signature && { signature }) }),
  keepSignature: async (_id: string, made: ManifestSignature) => (signature ??= made),
  finish: async (_id: string, result: Parameters<PackRepository['finish']>[1]) => {
    pack = { ...pack, ...result } as Pack;
  },
} as unknown as PackRepository;
const evidence = { get: async (id: string) => job.evidence.find((e) => e.evidence.evidenceId === id) } as unknown as EvidenceRepository;
const s3 = createArchiveS3Client({ endpoint: job.endpoint });
const started = performance.now();
const outcome = await buildPack(
  { packs, evidence, objects: new S3EvidenceObjectReader(s3, job.evidenceBucket), zips: new S3PackObjectWriter(s3, job.packsBucket), signer: new LocalKeyManifestSigner(job.keyFile) },
  pack.packId,
  'bench',
);
const ms = performance.now() - started;
if (outcome.outcome !== 'built') throw new Error(`build did not succeed: ${JSON.stringify(outcome)}`);
process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, size: outcome.size }));
s3.destroy();
