/** Use cases of a factory's evidence library: create, read, list, add a version. */
import type { AddVersionBody, AddVersionResult, CreateEvidenceBody, CreateEvidenceResult, Evidence, ListEvidenceQuery } from '../../schemas/evidence.js';
import { authorize, orgOf, visibleVersions } from '../access.js';
import { HiddenNotFoundError, NotFoundError } from '../errors.js';
import { newEvidenceId } from '../ids.js';
import type { EvidenceListScope, EvidenceRecord, EvidenceRepository, Page, StoredEvidence, StoredVersion } from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { newVersionFile, presignUpload, publicVersion, type EvidenceFileDeps } from './evidence-files.js';
import { withOptimisticRetry } from './optimistic.js';
import { pageOf } from './requests.js';

type EvidenceIds = { readonly evidenceId: string };

export interface EvidenceDeps extends EvidenceFileDeps {
  readonly evidence: EvidenceRepository;
}

/**
 * Only a factory creates evidence, in its own library. Creating evidence creates version 1;
 * `expiresAt` applies to it and may lie in the past. With a file, version 1's file starts
 * PENDING_UPLOAD and the answer carries its upload URL.
 */
export async function createEvidence(
  deps: EvidenceDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<undefined, undefined, CreateEvidenceBody>,
): Promise<CreateEvidenceResult> {
  authorize(ctx.principal, 'createEvidence');
  const factoryId = orgOf(ctx.principal);
  const { body } = input;
  const now = ctx.now();
  const at = now.toISOString();
  const first: StoredVersion = {
    version: 1,
    createdAt: at,
    createdBy: ctx.principal.userId,
    ...(body.expiresAt !== undefined && { expiresAt: body.expiresAt }),
    ...(body.file !== undefined && { file: newVersionFile(body.file) }),
  };
  const evidence: Omit<Evidence, 'versions'> = {
    evidenceId: newEvidenceId(now.getTime()),
    factoryId,
    name: body.name,
    docType: body.docType,
    ...(body.notes !== undefined && { notes: body.notes }),
    latestVersion: 1,
    createdAt: at,
    updatedAt: at,
  };
  ctx.audit.identify(evidence.evidenceId);
  await ctx.audit.commit({ docType: evidence.docType, version: 1, ...(first.file && { sha256: first.file.sha256 }) }, (event) =>
    deps.evidence.create(evidence, first, event),
  );
  const created = { ...evidence, versions: [publicVersion(first)] };
  return first.file ? { ...created, uploadUrl: await uploadUrlOf(deps, { evidence, versions: [first], shares: [] }, first) } : created;
}

async function uploadUrlOf(deps: EvidenceFileDeps, stored: StoredEvidence, version: StoredVersion): Promise<string | undefined> {
  return version.file && (await presignUpload(deps, stored, { ...version, file: version.file })).url;
}

export async function listEvidence(deps: EvidenceDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListEvidenceQuery>): Promise<Page<Evidence>> {
  const scope = authorize(ctx.principal, 'listEvidence');
  const { query } = input;
  const listScope: EvidenceListScope = scope === 'all' ? { by: 'all' } : { by: 'factory', factoryId: orgOf(ctx.principal) };
  const page = await deps.evidence.list(listScope, { docType: query.docType }, pageOf(query));
  return { ...page, items: page.items.map(({ versions, ...header }) => assemble(header, versions)) };
}

/** A buyer sees only the versions shared with its organisation (by fulfilment or by a pack), and the evidence as of those. */
export async function getEvidence(deps: EvidenceDeps, ctx: UseCaseContext, input: UseCaseInput<EvidenceIds>): Promise<Evidence> {
  const scope = authorize(ctx.principal, 'getEvidence');
  const stored = await deps.evidence.get(input.path.evidenceId);
  if (!stored) throw new NotFoundError('evidence-not-found', 'No such evidence');
  const visible = visibleVersions(ctx.principal, scope, stored.evidence, stored.shares);
  if (visible === 'all') return assemble(stored.evidence, stored.versions);
  if (visible) {
    const versions = stored.versions.filter((v) => visible.has(v.version));
    const latest = versions.at(-1);
    if (latest) return { ...assemble(stored.evidence, versions), latestVersion: latest.version, updatedAt: latest.createdAt };
  }
  throw new HiddenNotFoundError('evidence-not-found', 'No such evidence');
}

function assemble(header: Omit<EvidenceRecord, 'versions'>, versions: readonly StoredVersion[]): Evidence {
  return { ...header, versions: versions.map(publicVersion) };
}

/**
 * 1. Only the owning factory adds versions.
 * 2. The new version is latestVersion + 1, written with the header's guard so concurrent adds
 *    get distinct, contiguous numbers (a lost race re-reads and takes the next number).
 * 3. With a file, the file starts PENDING_UPLOAD under a server-chosen key (never its name) and
 *    the answer carries a presigned PUT bound to its size, SHA-256 and content type.
 */
export async function addEvidenceVersion(
  deps: EvidenceDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<EvidenceIds, undefined, AddVersionBody>,
): Promise<AddVersionResult> {
  authorize(ctx.principal, 'addEvidenceVersion');
  const factoryId = orgOf(ctx.principal);
  const { path, body } = input;
  const { evidenceId } = path;
  const version = await withOptimisticRetry(async () => {
    const stored = await deps.evidence.get(evidenceId);
    if (!stored) throw new NotFoundError('evidence-not-found', 'No such evidence');
    if (stored.evidence.factoryId !== factoryId) throw new HiddenNotFoundError('evidence-not-found', 'No such evidence');
    const next: StoredVersion = {
      version: stored.evidence.latestVersion + 1,
      createdAt: ctx.now().toISOString(),
      createdBy: ctx.principal.userId,
      ...(body.expiresAt !== undefined && { expiresAt: body.expiresAt }),
      ...(body.notes !== undefined && { notes: body.notes }),
      ...(body.file !== undefined && { file: newVersionFile(body.file) }),
    };
    await ctx.audit.commit({ version: next.version, ...(body.file && { sha256: body.file.sha256 }) }, (event) =>
      deps.evidence.appendVersion(evidenceId, stored.evidence.latestVersion, next, event),
    );
    return { stored, next };
  }, 60);
  const uploadUrl = await uploadUrlOf(deps, version.stored, version.next);
  return { version: version.next.version, ...(uploadUrl && { uploadUrl }) };
}
