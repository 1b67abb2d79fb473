/**
 * Use cases of packs (selective disclosure and export) and their share links. A factory's
 * pack shares its versions with one buyer org (the second source of sharing, beside
 * fulfilment); a buyer's pack holds only versions shared with it. The ZIP is built by the pack
 * builder (pack-builder.ts), asynchronously.
 */
import type { Pack, PackDownload, PackItem, CreatePackBody, ListPacksQuery, CreateShareLinkBody, CreatedShareLink, ShareLink, SharedPack, RevokeShareLinkBody } from '../../schemas/packs.js';
import { assertPackAccess, assertPackOwner, authorize, orgOf, visibleVersions } from '../access.js';
import { ConflictError, HiddenValidationError, NotFoundError, ValidationError } from '../errors.js';
import { sortableId } from '../ids.js';
import {
  DEFAULT_LINK_DAYS,
  isTokenShaped,
  newLinkId,
  newPackId,
  newShareToken,
  PACK_DOWNLOAD_TTL_SECONDS,
  PACK_RETENTION_DAYS,
  packFileName,
  packZipKey,
  SHARED_DOWNLOAD_TTL_SECONDS,
  tokenHash,
} from '../packs.js';
import type { EvidenceRepository, OrganisationDirectory, Page, PackFileUrls, PackJobs, PackRepository, PackShareGrant, StoredEvidence, StoredPack } from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { pageOf } from './requests.js';

const DAY_MS = 86_400_000;

export interface PackDeps {
  readonly packs: PackRepository;
  readonly evidence: EvidenceRepository;
  readonly organisations: OrganisationDirectory;
  readonly packFileUrls: PackFileUrls;
  readonly packJobs: PackJobs;
}

type PackIds = { readonly packId: string };
type LinkIds = { readonly packId: string; readonly linkId: string };

/**
 * 1. Factories and buyers only (403 otherwise). A factory names the buyer org it shares with
 *    (a registered buyer), a buyer names none.
 * 2. Every item names a distinct version. A factory's must be of its own evidence, a buyer's
 *    shared with its org (by fulfilment or by a pack); anything else answers 400 on the item
 *    exactly as unknown evidence does (audited DENIED when it hides another tenant's).
 * 3. The version must exist, and its file (if it has one) be AVAILABLE: else 400 naming the item.
 * 4. The pack (PENDING), a factory's share grants and the audit event are stored, then the
 *    build is queued; the answer is 202 with the pack.
 */
export async function createPack(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreatePackBody>): Promise<Pack> {
  authorize(ctx.principal, 'createPack');
  const orgId = orgOf(ctx.principal);
  const { body } = input;
  const byFactory = ctx.principal.role === 'factory';
  if (byFactory) {
    if (body.sharedWithOrgId === undefined) {
      throw new ValidationError([{ path: '/sharedWithOrgId', message: 'a factory\'s pack names the buyer org it is shared with' }], { code: 'pack-shared-with-required' });
    }
    if ((await deps.organisations.kindOf(body.sharedWithOrgId)) !== 'buyer') {
      throw new ValidationError([{ path: '/sharedWithOrgId', message: 'names no registered buyer organisation' }], { code: 'buyer-not-registered' });
    }
  } else if (body.sharedWithOrgId !== undefined) {
    throw new ValidationError([{ path: '/sharedWithOrgId', message: 'a buyer\'s pack is for its own records: leave it out' }], { code: 'pack-shared-with-forbidden' });
  }
  const seen = new Set<string>();
  body.items.forEach((item, i) => {
    const key = `${item.evidenceId}#${item.version}`;
    if (seen.has(key)) throw new ValidationError([{ path: `/items/${i}`, message: `names ${item.evidenceId} version ${item.version} a second time` }], { code: 'pack-item-duplicate' });
    seen.add(key);
  });

  const evidence = new Map<string, StoredEvidence | undefined>();
  const items: PackItem[] = [];
  for (const [i, ref] of body.items.entries()) {
    if (!evidence.has(ref.evidenceId)) evidence.set(ref.evidenceId, await deps.evidence.get(ref.evidenceId));
    const stored = evidence.get(ref.evidenceId);
    const unknown = [{ path: `/items/${i}/evidenceId`, message: byFactory ? 'names no evidence in the factory\'s library' : 'names no evidence version shared with the buyer org' }];
    if (!stored) throw new ValidationError(unknown, { code: 'evidence-not-found' });
    const visible = byFactory
      ? stored.evidence.factoryId === orgId
        ? 'all'
        : undefined
      : visibleVersions(ctx.principal, 'shared', stored.evidence, stored.shares);
    if (!visible || (visible !== 'all' && !visible.has(ref.version))) throw new HiddenValidationError(unknown, { code: 'evidence-not-found' });
    const version = stored.versions.find((v) => v.version === ref.version);
    if (!version) throw new ValidationError([{ path: `/items/${i}/version`, message: `the evidence has no version ${ref.version}` }], { code: 'version-not-found' });
    if (version.file && version.file.status !== 'AVAILABLE') {
      throw new ValidationError([{ path: `/items/${i}/version`, message: `the file of ${ref.evidenceId} version ${ref.version} is ${version.file.status}, not AVAILABLE` }], { code: 'file-not-available' });
    }
    items.push({
      evidenceId: ref.evidenceId,
      version: ref.version,
      name: stored.evidence.name,
      docType: stored.evidence.docType,
      ...(version.file && { fileName: version.file.fileName, sha256: version.file.sha256 }),
    });
  }

  const now = ctx.now();
  const at = now.toISOString();
  const pack: Pack = {
    packId: newPackId(sortableId(now.getTime())),
    title: body.title,
    ownerOrgId: orgId,
    ...(body.sharedWithOrgId !== undefined && { sharedWithOrgId: body.sharedWithOrgId }),
    status: 'PENDING',
    items,
    createdAt: at,
    createdBy: ctx.principal.userId,
    expiresAt: new Date(now.getTime() + PACK_RETENTION_DAYS * DAY_MS).toISOString(),
  };
  const grants: PackShareGrant[] = [];
  if (pack.sharedWithOrgId !== undefined) {
    const byEvidence = new Map<string, number[]>();
    for (const item of items) byEvidence.set(item.evidenceId, [...(byEvidence.get(item.evidenceId) ?? []), item.version]);
    for (const [evidenceId, versions] of byEvidence) grants.push({ evidenceId, buyerOrgId: pack.sharedWithOrgId, packId: pack.packId, versions, sharedAt: at });
  }
  ctx.audit.identify(pack.packId);
  await ctx.audit.commit({ title: pack.title, items: items.length, ...(pack.sharedWithOrgId !== undefined && { sharedWithOrgId: pack.sharedWithOrgId }) }, (event) =>
    deps.packs.create(pack, grants, event),
  );
  await deps.packJobs.enqueue({ packId: pack.packId });
  return pack;
}

export async function listPacks(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListPacksQuery>): Promise<Page<Pack>> {
  const scope = authorize(ctx.principal, 'listPacks');
  const { query } = input;
  return deps.packs.list(scope === 'all' ? { by: 'all' } : { by: 'org', orgId: orgOf(ctx.principal) }, { status: query.status }, pageOf(query));
}

async function readablePack(deps: PackDeps, ctx: UseCaseContext, packId: string, operation: 'getPack' | 'downloadPack'): Promise<StoredPack> {
  const scope = authorize(ctx.principal, operation);
  const stored = await deps.packs.get(packId);
  if (!stored) throw new NotFoundError('pack-not-found', 'No such pack');
  assertPackAccess(ctx.principal, scope, stored.pack);
  return stored;
}

/** The owner org, the org it is shared with, auditors and admins; anyone else 404. */
export async function getPack(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<PackIds>): Promise<Pack> {
  return (await readablePack(deps, ctx, input.path.packId, 'getPack')).pack;
}

function assertDownloadable(pack: Pack, now: Date): void {
  if (pack.status !== 'READY') throw new ConflictError('pack-not-ready', `The pack is ${pack.status}, not READY`);
  if (now.getTime() >= Date.parse(pack.expiresAt)) throw new ConflictError('pack-expired', `The pack's ZIP expired at ${pack.expiresAt}`);
}

/** As getPack; 409 unless READY (and not expired). A presigned GET of the ZIP, 5 minutes. */
export async function downloadPack(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<PackIds>): Promise<PackDownload> {
  const { pack } = await readablePack(deps, ctx, input.path.packId, 'downloadPack');
  assertDownloadable(pack, ctx.now());
  const url = await deps.packFileUrls.download(packZipKey(pack.packId), packFileName(pack), PACK_DOWNLOAD_TTL_SECONDS);
  return { downloadUrl: url.url, expiresAt: url.expiresAt.toISOString() };
}

async function ownedPack(deps: PackDeps, ctx: UseCaseContext, packId: string, operation: 'createShareLink' | 'listShareLinks' | 'revokeShareLink'): Promise<Pack> {
  const scope = authorize(ctx.principal, operation);
  const stored = await deps.packs.get(packId);
  if (!stored) throw new NotFoundError('pack-not-found', 'No such pack');
  assertPackOwner(ctx.principal, scope, stored.pack);
  return stored.pack;
}

/**
 * 1. The pack's owner org only. 2. A token of 256 random bits, of which only the SHA-256 is
 * stored; the audit event names the link id. 3. The answer is the only place the token appears.
 */
export async function createShareLink(
  deps: PackDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<PackIds, undefined, CreateShareLinkBody>,
): Promise<CreatedShareLink> {
  const pack = await ownedPack(deps, ctx, input.path.packId, 'createShareLink');
  const { body } = input;
  const now = ctx.now();
  const token = newShareToken();
  const link: ShareLink = {
    linkId: newLinkId(sortableId(now.getTime())),
    packId: pack.packId,
    createdBy: ctx.principal.userId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (body.expiresInDays ?? DEFAULT_LINK_DAYS) * DAY_MS).toISOString(),
    ...(body.note !== undefined && { note: body.note }),
    accessCount: 0,
  };
  ctx.audit.identify(link.linkId);
  await ctx.audit.commit({ packId: pack.packId, expiresAt: link.expiresAt }, (event) => deps.packs.createLink(link, tokenHash(token), event));
  return { ...link, url: `/v1/shared/${token}`, token };
}

export async function listShareLinks(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<PackIds>): Promise<{ items: ShareLink[] }> {
  const pack = await ownedPack(deps, ctx, input.path.packId, 'listShareLinks');
  const links = await deps.packs.listLinks(pack.packId);
  return { items: links.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.linkId < b.linkId ? 1 : -1)) };
}

/** The owner org ends a link at once: its token answers 404 from now on, its last download URL dies within 60 s. */
export async function revokeShareLink(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<LinkIds, undefined, RevokeShareLinkBody>): Promise<ShareLink> {
  const pack = await ownedPack(deps, ctx, input.path.packId, 'revokeShareLink');
  void input.body; // its only rule is having no fields
  const link = await deps.packs.getLink(pack.packId, input.path.linkId);
  if (!link) throw new NotFoundError('share-link-not-found', 'No such share link on the pack');
  const at = link.revokedAt ?? ctx.now().toISOString();
  await ctx.audit.commit({ packId: pack.packId, revokedAt: at }, (event) => deps.packs.revokeLink(pack.packId, link.linkId, at, event));
  return { ...link, revokedAt: at };
}

/**
 * Anyone holding the token, without signing in:
 * 1. An unknown, expired or revoked token, or a pack not READY (or expired), answers one and
 *    the same 404; the audit event names the link once known, never the token.
 * 2. The access is counted (accessCount, lastAccessAt) with its audit event in one transaction.
 * 3. The download URL lives 60 seconds, so a revoke ends access within a minute.
 */
export async function accessShareLink(deps: PackDeps, ctx: UseCaseContext, input: UseCaseInput<{ readonly token: string }>): Promise<SharedPack> {
  authorize(ctx.principal, 'accessShareLink');
  const nothing = () => new NotFoundError('shared-not-found', 'No pack is shared under this link');
  const { token } = input.path;
  if (!isTokenShaped(token)) throw nothing();
  const link = await deps.packs.findLink(tokenHash(token));
  if (!link) throw nothing();
  ctx.audit.identify(link.linkId);
  const now = ctx.now();
  if (link.revokedAt !== undefined || now.getTime() >= Date.parse(link.expiresAt)) throw nothing();
  const stored = await deps.packs.get(link.packId);
  if (!stored || stored.pack.status !== 'READY' || now.getTime() >= Date.parse(stored.pack.expiresAt)) throw nothing();
  const { pack } = stored;
  const url = await deps.packFileUrls.download(packZipKey(pack.packId), packFileName(pack), SHARED_DOWNLOAD_TTL_SECONDS);
  const at = now.toISOString();
  await ctx.audit.commit({ packId: pack.packId }, (event) => deps.packs.recordAccess(pack.packId, link.linkId, at, event));
  return {
    title: pack.title,
    items: pack.items,
    createdAt: pack.createdAt,
    expiresAt: link.expiresAt < pack.expiresAt ? link.expiresAt : pack.expiresAt,
    downloadUrl: url.url,
  };
}
