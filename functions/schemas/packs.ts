/** Packs (a chosen set of evidence versions, shared or exported as one signed ZIP) and their share links. */
import * as z from 'zod/mini';
import { Cursor, DocType, Id, Limit, Name, OrgId, ShortText, Timestamp, Title, pageOf, text } from './common.js';
import { FileName } from './evidence.js';

/** Versions one pack may hold (API.md 1.1, "Packs"). */
export const MAX_PACK_ITEMS = 200;

export const PackStatus = z.enum(['PENDING', 'READY', 'FAILED']);
export type PackStatus = z.infer<typeof PackStatus>;

const VersionNumber = z.int().check(z.minimum(1), z.maximum(999_999_999));
const Sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'));

export const PackItemRef = z.strictObject({ evidenceId: Id, version: VersionNumber });
export type PackItemRef = z.infer<typeof PackItemRef>;

export const CreatePackBody = z.strictObject({
  title: Title,
  items: z.array(PackItemRef).check(z.minLength(1), z.maxLength(MAX_PACK_ITEMS)),
  sharedWithOrgId: z.optional(OrgId),
});
export type CreatePackBody = z.infer<typeof CreatePackBody>;

export const PackItem = z.object({
  evidenceId: Id,
  version: z.int(),
  name: Name,
  docType: DocType,
  fileName: z.optional(FileName),
  sha256: z.optional(Sha256),
});
export type PackItem = z.infer<typeof PackItem>;

export const Pack = z
  .object({
    packId: Id,
    title: Title,
    ownerOrgId: OrgId,
    sharedWithOrgId: z.optional(OrgId),
    status: PackStatus,
    items: z.array(PackItem),
    createdAt: Timestamp,
    createdBy: Id,
    readyAt: z.optional(Timestamp),
    size: z.optional(z.int().check(z.describe('Bytes of the ZIP, once READY.'))),
    sha256: z.optional(Sha256.check(z.describe('Hex SHA-256 of the ZIP, once READY.'))),
    /** Why the build FAILED (an addition to the contract's Pack: it says FAILED "with a reason"). */
    failureReason: z.optional(z.string()),
    expiresAt: Timestamp.check(z.describe('The ZIP is kept until then (30 days); the record and its audit stay.')),
  })
  .register(z.globalRegistry, { id: 'Pack' });
export type Pack = z.infer<typeof Pack>;

export const PackPath = z.strictObject({ packId: Id });
export const ListPacksQuery = z.strictObject({ status: z.optional(PackStatus), limit: Limit, cursor: Cursor });
export type ListPacksQuery = z.infer<typeof ListPacksQuery>;
export const PackPage = pageOf(Pack);

export const PackDownload = z.object({
  downloadUrl: z.string().check(z.describe('Presigned GET of the ZIP, valid 5 minutes (60 seconds from a share link).')),
  expiresAt: Timestamp.check(z.describe('When the download URL stops working.')),
});
export type PackDownload = z.infer<typeof PackDownload>;

export const ShareLink = z
  .object({
    linkId: Id,
    packId: Id,
    createdBy: Id,
    createdAt: Timestamp,
    expiresAt: Timestamp,
    revokedAt: z.optional(Timestamp),
    note: z.optional(ShortText),
    accessCount: z.int(),
    lastAccessAt: z.optional(Timestamp),
  })
  .register(z.globalRegistry, { id: 'ShareLink' });
export type ShareLink = z.infer<typeof ShareLink>;

export const CreateShareLinkBody = z.strictObject({
  expiresInDays: z.optional(z.int().check(z.minimum(1), z.maximum(30))),
  note: z.optional(ShortText),
});
export type CreateShareLinkBody = z.infer<typeof CreateShareLinkBody>;

/** The created link, with its token and address: shown in this answer only, never stored. */
export const CreatedShareLink = z.object({
  ...ShareLink.shape,
  url: z.string().check(z.describe('The address to hand out: `GET` it without signing in.')),
  token: z.string().check(z.describe('256 random bits, base64url; stored only as its SHA-256.')),
});
export type CreatedShareLink = z.infer<typeof CreatedShareLink>;

export const ShareLinkPath = z.strictObject({ packId: Id, linkId: Id });
export const ShareLinkList = z.object({ items: z.array(ShareLink) });
/** `revoke` takes no fields: an empty body (or `{}`) only. */
export const RevokeShareLinkBody = z.strictObject({});
export type RevokeShareLinkBody = z.infer<typeof RevokeShareLinkBody>;

/** Any text: a token of the wrong shape is answered exactly as an unknown one (404). */
export const SharedPath = z.strictObject({ token: text(1, 200) });

export const SharedPack = z.object({
  title: Title,
  items: z.array(PackItem),
  createdAt: Timestamp,
  expiresAt: Timestamp.check(z.describe('When access through this link ends: the link\'s expiry or the ZIP\'s, whichever comes first.')),
  downloadUrl: z.string().check(z.describe('Presigned GET of the ZIP, valid 60 seconds: a revoke ends access within a minute.')),
});
export type SharedPack = z.infer<typeof SharedPack>;
