/**
 * Use cases of evidence files: re-issue an upload address, download, and the file
 * verifier's judgement of a stored object (AVAILABLE or REJECTED, never back).
 */
import type { FileDownload, FileInfo, StoredEvidenceFile, UploadUrlBody, UploadUrlResult } from '../../schemas/evidence.js';
import { authorize, orgOf, visibleVersions } from '../access.js';
import { systemEvent } from '../audit-trail.js';
import { ConcurrentUpdateError, ConflictError, HiddenNotFoundError, NotFoundError } from '../errors.js';
import { evidenceFileKey, judgeObject, newFileId, parseEvidenceFileKey, type Verdict } from '../evidence-files.js';
import type { EvidenceFileUrls, EvidenceObjects, EvidenceRepository, PresignedUrl, StoredEvidence, StoredVersion } from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';

type VersionIds = { readonly evidenceId: string; readonly version: number };

export interface EvidenceFileDeps {
  readonly evidence: EvidenceRepository;
  readonly fileUrls: EvidenceFileUrls;
}

/** A declared file starts PENDING_UPLOAD under a fresh random id; its name stays metadata. */
export function newVersionFile(file: FileInfo): StoredEvidenceFile {
  return { ...file, status: 'PENDING_UPLOAD', fileId: newFileId() };
}

/** The storage key of a stored version's file. */
export function fileKeyOf(stored: StoredEvidence, version: StoredVersion & { file: StoredEvidenceFile }): string {
  return evidenceFileKey({ factoryId: stored.evidence.factoryId, evidenceId: stored.evidence.evidenceId, version: version.version, fileId: version.file.fileId });
}

/** The presigned PUT of a version's file, bound to its declared size, SHA-256 and content type. */
export async function presignUpload(deps: EvidenceFileDeps, stored: StoredEvidence, version: StoredVersion & { file: StoredEvidenceFile }): Promise<PresignedUrl> {
  return deps.fileUrls.upload(fileKeyOf(stored, version), version.file);
}

/** A version as clients see it: the file without its storage id. */
export function publicVersion<V extends StoredVersion>(version: V): Omit<V, 'file'> & { file?: Omit<StoredEvidenceFile, 'fileId'> } {
  if (!version.file) return version;
  const { fileId: _fileId, ...file } = version.file;
  return { ...version, file };
}

function versionOf(stored: StoredEvidence, number: number): StoredVersion {
  const version = stored.versions.find((v) => v.version === number);
  if (!version) throw new NotFoundError('version-not-found', `The evidence has no version ${number}`);
  return version;
}

/**
 * 1. Only the owning factory; another factory's evidence answers 404 like unknown evidence.
 * 2. The version must carry a file still PENDING_UPLOAD (else 409): a verified or rejected
 *    file is never overwritten.
 * 3. Answers a new presigned PUT for the same key, bound to the declared size and SHA-256.
 */
export async function issueUploadUrl(deps: EvidenceFileDeps, ctx: UseCaseContext, input: UseCaseInput<VersionIds, undefined, UploadUrlBody>): Promise<UploadUrlResult> {
  authorize(ctx.principal, 'issueUploadUrl');
  const { evidenceId, version: number } = input.path;
  void input.body; // its only rule is having no fields: reading it refuses a body that breaks that
  ctx.audit.describe({ version: number });
  const stored = await deps.evidence.get(evidenceId);
  if (!stored) throw new NotFoundError('evidence-not-found', 'No such evidence');
  if (stored.evidence.factoryId !== orgOf(ctx.principal)) throw new HiddenNotFoundError('evidence-not-found', 'No such evidence');
  const version = versionOf(stored, number);
  if (!version.file) throw new ConflictError('file-not-found', `Version ${number} carries no file; add a version with a file instead`);
  if (version.file.status !== 'PENDING_UPLOAD') throw new ConflictError('file-not-pending', `The file of version ${number} is ${version.file.status}, not PENDING_UPLOAD`);
  const upload = await presignUpload(deps, stored, { ...version, file: version.file });
  return { uploadUrl: upload.url, expiresAt: upload.expiresAt.toISOString() };
}

/**
 * 1. The owning factory, a buyer org the version was shared with (by a fulfilment or a pack),
 *    auditors and admins;
 *    anyone else, and a version not shared with the buyer, answers 404 as if absent.
 * 2. A version without a file answers 404; a file not AVAILABLE answers 409.
 * 3. Answers a presigned GET (5 minutes) that downloads the file as an attachment.
 */
export async function downloadEvidenceFile(deps: EvidenceFileDeps, ctx: UseCaseContext, input: UseCaseInput<VersionIds>): Promise<FileDownload> {
  const scope = authorize(ctx.principal, 'downloadEvidenceFile');
  const { evidenceId, version: number } = input.path;
  ctx.audit.describe({ version: number });
  const stored = await deps.evidence.get(evidenceId);
  if (!stored) throw new NotFoundError('evidence-not-found', 'No such evidence');
  const visible = visibleVersions(ctx.principal, scope, stored.evidence, stored.shares);
  if (!visible || (visible !== 'all' && !visible.has(number))) throw new HiddenNotFoundError('evidence-not-found', 'No such evidence');
  const version = versionOf(stored, number);
  const file = version.file;
  if (!file) throw new NotFoundError('file-not-found', `Version ${number} carries no file`);
  if (file.status !== 'AVAILABLE') throw new ConflictError('file-not-available', `The file of version ${number} is ${file.status}, not AVAILABLE`);
  const download = await deps.fileUrls.download(fileKeyOf(stored, { ...version, file }), file);
  return {
    downloadUrl: download.url,
    expiresAt: download.expiresAt.toISOString(),
    fileName: file.fileName,
    contentType: file.contentType,
    size: file.size,
    sha256: file.sha256,
  };
}

export interface VerifierDeps {
  readonly evidence: EvidenceRepository;
  readonly objects: EvidenceObjects;
  readonly now?: () => Date;
}

/** What the verifier did with one object (logged; tests assert it). */
export type VerifierOutcome =
  | { readonly outcome: 'marked'; readonly verdict: Verdict }
  | { readonly outcome: 'already'; readonly status: 'AVAILABLE' | 'REJECTED' }
  | { readonly outcome: 'stray' }
  | { readonly outcome: 'missing' };

interface Located {
  readonly stored: StoredEvidence;
  readonly version: StoredVersion & { file: StoredEvidenceFile };
}

/** The version a key belongs to, if the server handed that key out for it. */
async function locate(deps: VerifierDeps, key: string): Promise<Located | undefined> {
  const location = parseEvidenceFileKey(key);
  if (!location) return undefined;
  const stored = await deps.evidence.get(location.evidenceId);
  if (!stored || stored.evidence.factoryId !== location.factoryId) return undefined;
  const version = stored.versions.find((v) => v.version === location.version);
  if (!version?.file || version.file.fileId !== location.fileId) return undefined;
  return { stored, version: { ...version, file: version.file } };
}

/**
 * The file verifier, for one ObjectCreated event (idempotent: a redelivery changes nothing):
 * 1. A key the server never handed out is stray: tagged REJECTED (never served, expired).
 * 2. A file already AVAILABLE or REJECTED stays so (a REJECTED object is tagged again).
 * 3. Otherwise the object is streamed, its size and SHA-256 compared with the version's, and
 *    the file moves PENDING_UPLOAD -> AVAILABLE | REJECTED with its audit event in one
 *    conditional write; a lost race re-reads and settles as in 2.
 * 4. A REJECTED object is tagged, so the bucket refuses to serve it and lifecycle removes it.
 */
export async function verifyStoredObject(deps: VerifierDeps, key: string, correlationId: string): Promise<VerifierOutcome> {
  const located = await locate(deps, key);
  if (!located) {
    await deps.objects.tagRejected(key);
    return { outcome: 'stray' };
  }
  const settled = await settledStatus(deps, key, located);
  if (settled) return settled;
  const measured = await deps.objects.measure(key);
  if (!measured) return { outcome: 'missing' };
  const verdict = judgeObject(located.version.file, measured);
  try {
    await markFile(deps, located, verdict, ['PENDING_UPLOAD'], correlationId, { size: measured.size, sha256: measured.sha256 });
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    const again = await locate(deps, key);
    const raced = again && (await settledStatus(deps, key, again));
    if (raced) return raced;
    throw error;
  }
  if (verdict.status === 'REJECTED') await deps.objects.tagRejected(key);
  return { outcome: 'marked', verdict };
}

/**
 * GuardDuty found malware in an object: its file becomes REJECTED whatever it was, and the
 * object is tagged like any rejected one. Idempotent as above.
 */
export async function rejectInfectedObject(deps: VerifierDeps, key: string, correlationId: string): Promise<VerifierOutcome> {
  const located = await locate(deps, key);
  if (!located) {
    await deps.objects.tagRejected(key);
    return { outcome: 'stray' };
  }
  const verdict: Verdict = { status: 'REJECTED', reason: 'malware' };
  if (located.version.file.status !== 'REJECTED') {
    try {
      await markFile(deps, located, verdict, ['PENDING_UPLOAD', 'AVAILABLE'], correlationId, {});
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      const again = await locate(deps, key);
      if (again?.version.file.status !== 'REJECTED') throw error;
    }
  }
  await deps.objects.tagRejected(key);
  return { outcome: 'marked', verdict };
}

async function settledStatus(deps: VerifierDeps, key: string, located: Located): Promise<VerifierOutcome | undefined> {
  const status = located.version.file.status;
  if (status === 'PENDING_UPLOAD') return undefined;
  if (status === 'REJECTED') await deps.objects.tagRejected(key);
  return { outcome: 'already', status };
}

async function markFile(
  deps: VerifierDeps,
  { stored, version }: Located,
  verdict: Verdict,
  from: readonly ('PENDING_UPLOAD' | 'AVAILABLE')[],
  correlationId: string,
  measured: Record<string, unknown>,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const rejected = verdict.status === 'REJECTED';
  const event = systemEvent({
    action: 'evidence.file.verify',
    outcome: rejected ? 'FAILED' : 'SUCCESS',
    resource: { type: 'evidence', id: stored.evidence.evidenceId },
    statusCode: rejected ? 422 : 200,
    reason: rejected ? verdict.reason : undefined,
    correlationId,
    changes: { version: version.version, status: { from: version.file.status, to: verdict.status }, ...(rejected && { reason: verdict.reason }), ...measured },
    now,
  });
  await deps.evidence.setFileStatus(
    { evidenceId: stored.evidence.evidenceId, version: version.version, fileId: version.file.fileId, from, to: verdict.status },
    event,
  );
}
