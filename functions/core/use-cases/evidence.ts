/** Use cases of a factory's evidence library: create, read, list, add a version. */
import type { AddVersionBody, AddVersionResult, CreateEvidenceBody, Evidence, EvidenceVersion, ListEvidenceQuery } from '../../schemas/evidence.js';
import { authorize, orgOf } from '../access.js';
import { HiddenNotFoundError, NotFoundError } from '../errors.js';
import { newEvidenceId } from '../ids.js';
import type { EvidenceListScope, EvidenceRepository, FileUploads, Page, StoredEvidence } from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { withOptimisticRetry } from './optimistic.js';
import { pageOf } from './requests.js';

type EvidenceIds = { readonly evidenceId: string };

export interface EvidenceDeps {
  readonly evidence: EvidenceRepository;
  readonly uploads: FileUploads;
}

/** Only a factory creates evidence, in its own library. Creating evidence creates version 1; `expiresAt` applies to it and may lie in the past. */
export async function createEvidence(deps: EvidenceDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreateEvidenceBody>): Promise<Evidence> {
  authorize(ctx.principal, 'createEvidence');
  const factoryId = orgOf(ctx.principal);
  const { body } = input;
  const now = ctx.now();
  const at = now.toISOString();
  const first: EvidenceVersion = {
    version: 1,
    createdAt: at,
    createdBy: ctx.principal.userId,
    ...(body.expiresAt !== undefined && { expiresAt: body.expiresAt }),
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
  await ctx.audit.commit({ docType: evidence.docType, version: 1 }, (event) => deps.evidence.create(evidence, first, event));
  return { ...evidence, versions: [first] };
}

export async function listEvidence(deps: EvidenceDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListEvidenceQuery>): Promise<Page<Evidence>> {
  const scope = authorize(ctx.principal, 'listEvidence');
  const { query } = input;
  const listScope: EvidenceListScope = scope === 'all' ? { by: 'all' } : { by: 'factory', factoryId: orgOf(ctx.principal) };
  return deps.evidence.list(listScope, { docType: query.docType }, pageOf(query));
}

/** A buyer sees only the versions shared with its organisation, and the evidence as of those. */
export async function getEvidence(deps: EvidenceDeps, ctx: UseCaseContext, input: UseCaseInput<EvidenceIds>): Promise<Evidence> {
  const scope = authorize(ctx.principal, 'getEvidence');
  const stored = await deps.evidence.get(input.path.evidenceId);
  if (!stored) throw new NotFoundError('evidence-not-found', 'No such evidence');
  if (scope === 'all') return assemble(stored, stored.versions);
  if (scope === 'own' && stored.evidence.factoryId === ctx.principal.orgId) return assemble(stored, stored.versions);
  if (scope === 'shared') {
    const shared = new Set(stored.shares.filter((s) => s.buyerOrgId === ctx.principal.orgId).map((s) => s.version));
    const versions = stored.versions.filter((v) => shared.has(v.version));
    const latest = versions.at(-1);
    if (latest) return { ...assemble(stored, versions), latestVersion: latest.version, updatedAt: latest.createdAt };
  }
  throw new HiddenNotFoundError('evidence-not-found', 'No such evidence');
}

function assemble(stored: StoredEvidence, versions: EvidenceVersion[]): Evidence {
  return { ...stored.evidence, versions };
}

/**
 * 1. Only the owning factory adds versions.
 * 2. The new version is latestVersion + 1, written with the header's guard so concurrent adds
 *    get distinct, contiguous numbers (a lost race re-reads and takes the next number).
 * 3. With a file, answers a presigned upload address bound to its size and SHA-256.
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
    const next: EvidenceVersion = {
      version: stored.evidence.latestVersion + 1,
      createdAt: ctx.now().toISOString(),
      createdBy: ctx.principal.userId,
      ...(body.expiresAt !== undefined && { expiresAt: body.expiresAt }),
      ...(body.notes !== undefined && { notes: body.notes }),
      ...(body.file !== undefined && { file: body.file }),
    };
    await ctx.audit.commit({ version: next.version, ...(body.file && { sha256: body.file.sha256 }) }, (event) =>
      deps.evidence.appendVersion(evidenceId, stored.evidence.latestVersion, next, event),
    );
    return next;
  }, 60);
  if (!version.file) return { version: version.version };
  const key = `evidence/${factoryId}/${evidenceId}/v${version.version}/${version.file.fileName}`;
  return { version: version.version, uploadUrl: await deps.uploads.uploadUrl(key, version.file) };
}
