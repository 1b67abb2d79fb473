/**
 * The pack builder, for one job (one pack). Idempotent: the ZIP's key derives from the pack id,
 * its bytes from the pack record and the one signature kept for it, and READY / FAILED is a
 * conditional transition from PENDING, so a redelivered or concurrent job writes the same
 * object again at most and never a second pack result.
 *
 * ZIP writing is yazl's (streaming, ZIP64 whenever an entry or the archive passes 4 GB, no
 * dependencies but a CRC-32): each file is opened only when the ZIP reaches it and streamed
 * through, stored (evidence files are PDFs, images and OOXML: compressed already), so memory
 * stays constant whatever the pack's size.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import yazl from 'yazl';
import type { Pack } from '../../schemas/packs.js';
import { systemEvent } from '../audit-trail.js';
import { ConcurrentUpdateError } from '../errors.js';
import { entryPath, ENTRY, MANIFEST_FORMAT, manifestBytes, packZipKey, sha256Hex, sha256Sums, type ManifestItem, type PackManifest } from '../packs.js';
import type { EvidenceObjectReader, EvidenceRepository, ManifestSignature, PackObjectWriter, PackRepository, PackSigner, StoredEvidence } from '../ports.js';
import { fileKeyOf } from './evidence-files.js';

export interface PackBuilderDeps {
  readonly packs: PackRepository;
  readonly evidence: EvidenceRepository;
  readonly objects: EvidenceObjectReader;
  readonly zips: PackObjectWriter;
  readonly signer: PackSigner;
  readonly now?: () => Date;
}

export type PackBuildOutcome =
  | { readonly outcome: 'built'; readonly size: number; readonly sha256: string }
  | { readonly outcome: 'failed'; readonly reason: string }
  | { readonly outcome: 'already'; readonly status: Pack['status'] }
  | { readonly outcome: 'missing' };

/** A fault the job cannot outgrow by retrying (a file gone, changed or no longer AVAILABLE): the pack FAILS with it. */
export class PackContentError extends Error {
  override readonly name = 'PackContentError';
}

interface Source {
  readonly item: ManifestItem & { readonly file: NonNullable<ManifestItem['file']> };
  readonly key: string;
}

/** Entries' timestamps: the pack's creation, so two builds of one pack are byte-identical. */
function entryOptions(pack: Pack, size?: number) {
  return { mtime: new Date(pack.createdAt), mode: 0o100644, compress: false, ...(size !== undefined && { size }) };
}

async function sources(deps: PackBuilderDeps, pack: Pack): Promise<{ items: ManifestItem[]; files: Source[] }> {
  const evidence = new Map<string, StoredEvidence | undefined>();
  const items: ManifestItem[] = [];
  const files: Source[] = [];
  for (const item of pack.items) {
    if (!evidence.has(item.evidenceId)) evidence.set(item.evidenceId, await deps.evidence.get(item.evidenceId));
    const stored = evidence.get(item.evidenceId);
    const version = stored?.versions.find((v) => v.version === item.version);
    if (!stored || !version) throw new PackContentError(`${item.evidenceId} version ${item.version} no longer exists`);
    const base = { evidenceId: item.evidenceId, version: item.version, name: item.name, docType: item.docType };
    if (!version.file) {
      items.push(base);
      continue;
    }
    const file = version.file;
    if (file.status !== 'AVAILABLE') throw new PackContentError(`the file of ${item.evidenceId} version ${item.version} is ${file.status}, not AVAILABLE`);
    const manifestFile = { path: entryPath({ ...item, fileName: file.fileName }), fileName: file.fileName, contentType: file.contentType, size: file.size, sha256: file.sha256 };
    const full = { ...base, file: manifestFile };
    items.push(full);
    files.push({ item: full, key: fileKeyOf(stored, { ...version, file }) });
  }
  return { items, files };
}

/** Passes bytes through while counting and hashing them; with `expected`, fails as soon as the bytes cannot be those. */
class Measure extends Transform {
  readonly hash = createHash('sha256');
  /** Not `size`: the multipart upload reads a body's `size` as its length, and this one is not known up front. */
  bytes = 0;

  constructor(private readonly expected?: { readonly size: number; readonly sha256: string; readonly what: string }) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.expected && this.bytes > this.expected.size) return done(this.changed());
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expected && (this.bytes !== this.expected.size || this.digest() !== this.expected.sha256)) return done(this.changed());
    done();
  }

  private changed(): PackContentError {
    return new PackContentError(`the stored file of ${this.expected!.what} no longer has its recorded size and SHA-256`);
  }

  #digest: string | undefined;
  digest(): string {
    return (this.#digest ??= this.hash.digest('hex'));
  }
}

/** The one signature every build of the pack uses (ECDSA signatures differ each time they are made). */
async function signatureOf(deps: PackBuilderDeps, packId: string, kept: ManifestSignature | undefined, manifest: (keyId: string) => Buffer): Promise<ManifestSignature> {
  if (kept) return kept;
  const made = { keyId: deps.signer.keyId, algorithm: deps.signer.algorithm, value: Buffer.from(await deps.signer.sign(manifest(deps.signer.keyId))).toString('base64') };
  return deps.packs.keepSignature(packId, made);
}

/** Writes the ZIP of `pack` to `zips` at its key; answers its size and SHA-256. */
async function writeZip(deps: PackBuilderDeps, pack: Pack, files: readonly Source[], control: readonly { path: string; bytes: Buffer }[]): Promise<{ size: number; sha256: string }> {
  const zip = new yazl.ZipFile();
  const whole = new Measure();
  // Any stream's failure ends the build: the upload's body fails too, so its multipart upload is aborted.
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = (error) => {
      const cause = error instanceof Error ? error : new Error(String(error));
      whole.destroy(cause);
      reject(cause);
    };
  });
  failed.catch(() => undefined);
  for (const source of files) {
    const { file } = source.item;
    const measure = new Measure({ size: file.size, sha256: file.sha256, what: `${source.item.evidenceId} version ${source.item.version}` });
    measure.on('error', fail);
    zip.addReadStreamLazy(source.item.file.path, entryOptions(pack, source.item.file.size), (callback) => {
      deps.objects.open(source.key).then(
        (stream) => {
          stream.on('error', fail);
          callback(null, stream.pipe(measure));
        },
        fail,
      );
    });
  }
  for (const entry of control) zip.addBuffer(entry.bytes, entry.path, entryOptions(pack));
  zip.end();
  (zip as unknown as NodeJS.EventEmitter).on('error', fail);
  zip.outputStream.on('error', fail);
  zip.outputStream.pipe(whole);
  const upload = deps.zips.put(packZipKey(pack.packId), whole);
  upload.catch(() => undefined);
  await Promise.race([upload, failed]);
  return { size: whole.bytes, sha256: whole.digest() };
}

/**
 * 1. A pack that is not PENDING is done (a redelivery): nothing happens.
 * 2. Every item's version is re-read: a file gone, changed or not AVAILABLE fails the pack.
 * 3. manifest.json (from the record alone), its signature (made once, kept on the pack),
 *    SHA256SUMS and the public key; then the ZIP is streamed to the packs bucket.
 * 4. PENDING -> READY (size, SHA-256) or FAILED (reason), with `pack.build` (actor: system).
 * Faults of the stores are thrown (the queue retries); `lastAttempt` turns them into FAILED.
 */
export async function buildPack(deps: PackBuilderDeps, packId: string, correlationId: string, options: { readonly lastAttempt?: boolean } = {}): Promise<PackBuildOutcome> {
  const stored = await deps.packs.get(packId);
  if (!stored) return { outcome: 'missing' };
  const { pack } = stored;
  if (pack.status !== 'PENDING') return { outcome: 'already', status: pack.status };
  try {
    const { items, files } = await sources(deps, pack);
    const manifest = (keyId: string): Buffer => {
      const document: PackManifest = {
        format: MANIFEST_FORMAT,
        pack: {
          packId: pack.packId,
          title: pack.title,
          ownerOrgId: pack.ownerOrgId,
          ...(pack.sharedWithOrgId !== undefined && { sharedWithOrgId: pack.sharedWithOrgId }),
          createdAt: pack.createdAt,
          createdBy: pack.createdBy,
        },
        items,
        signature: { algorithm: deps.signer.algorithm, keyId, publicKey: ENTRY.publicKey },
      };
      return manifestBytes(document);
    };
    const signature = await signatureOf(deps, packId, stored.signature, manifest);
    const manifestJson = manifest(signature.keyId);
    const publicKey = Buffer.from(await deps.signer.publicKeyPem(signature.keyId), 'utf8');
    const sums = sha256Sums([...files.map((f) => ({ path: f.item.file.path, sha256: f.item.file.sha256 })), { path: ENTRY.manifest, sha256: sha256Hex(manifestJson) }]);
    const zip = await writeZip(deps, pack, files, [
      { path: ENTRY.manifest, bytes: manifestJson },
      { path: ENTRY.sums, bytes: sums },
      { path: ENTRY.signature, bytes: Buffer.from(signature.value, 'base64') },
      { path: ENTRY.publicKey, bytes: publicKey },
    ]);
    const settled = await settle(deps, pack, { status: 'READY', readyAt: now(deps).toISOString(), size: zip.size, sha256: zip.sha256 }, correlationId);
    return settled ?? { outcome: 'built', ...zip };
  } catch (error) {
    if (!(error instanceof PackContentError) && !options.lastAttempt) throw error;
    const reason = error instanceof PackContentError ? error.message : `the build gave up after its retries: ${error instanceof Error ? error.message : String(error)}`;
    const settled = await settle(deps, pack, { status: 'FAILED', failureReason: reason.slice(0, 1000) }, correlationId);
    return settled ?? { outcome: 'failed', reason };
  }
}

const now = (deps: PackBuilderDeps) => (deps.now ?? (() => new Date()))();

/** Records the result; when another delivery recorded one first, answers what it recorded. */
async function settle(
  deps: PackBuilderDeps,
  pack: Pack,
  result: Parameters<PackRepository['finish']>[1],
  correlationId: string,
): Promise<PackBuildOutcome | undefined> {
  const ready = result.status === 'READY';
  const event = systemEvent({
    action: 'pack.build',
    outcome: ready ? 'SUCCESS' : 'FAILED',
    resource: { type: 'pack', id: pack.packId },
    statusCode: ready ? 200 : 422,
    reason: ready ? undefined : result.failureReason,
    correlationId,
    changes: ready ? { status: { from: 'PENDING', to: 'READY' }, size: result.size, sha256: result.sha256 } : { status: { from: 'PENDING', to: 'FAILED' }, reason: result.failureReason },
    now: now(deps),
  });
  try {
    await deps.packs.finish(pack.packId, result, event);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    const again = await deps.packs.get(pack.packId);
    if (again && again.pack.status !== 'PENDING') return { outcome: 'already', status: again.pack.status };
    throw error;
  }
}
