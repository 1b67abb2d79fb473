/** A factory's evidence library: documents with immutable, numbered versions. */
import * as z from 'zod/mini';
import { Cursor, DocType, Id, InputTimestamp, Limit, Name, ShortText, Timestamp, pageOf, text } from './common.js';

export const FileInfo = z.strictObject({
  fileName: text(1, 255),
  contentType: text(1, 255),
  size: z.int().check(z.minimum(1), z.maximum(5 * 1024 ** 3)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')),
});
export type FileInfo = z.infer<typeof FileInfo>;

export const EvidenceVersion = z.object({
  version: z.int(),
  createdAt: Timestamp,
  createdBy: Id,
  expiresAt: z.optional(Timestamp),
  notes: z.optional(ShortText),
  file: z.optional(FileInfo),
});
export type EvidenceVersion = z.infer<typeof EvidenceVersion>;

export const Evidence = z
  .object({
    evidenceId: Id,
    factoryId: Id,
    name: Name,
    docType: DocType,
    notes: z.optional(ShortText),
    latestVersion: z.int(),
    versions: z.array(EvidenceVersion),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .register(z.globalRegistry, { id: 'Evidence' });
export type Evidence = z.infer<typeof Evidence>;

export const CreateEvidenceBody = z.strictObject({
  name: Name,
  docType: DocType,
  notes: z.optional(ShortText),
  expiresAt: z.optional(InputTimestamp),
});
export type CreateEvidenceBody = z.infer<typeof CreateEvidenceBody>;

export const AddVersionBody = z.strictObject({
  notes: z.optional(ShortText),
  expiresAt: z.optional(InputTimestamp),
  file: z.optional(FileInfo),
});
export type AddVersionBody = z.infer<typeof AddVersionBody>;

export const AddVersionResult = z.object({ version: z.int(), uploadUrl: z.optional(z.string()) });
export type AddVersionResult = z.infer<typeof AddVersionResult>;

export const EvidencePath = z.strictObject({ evidenceId: Id });
export const ListEvidenceQuery = z.strictObject({ docType: z.optional(DocType), limit: Limit, cursor: Cursor });
export type ListEvidenceQuery = z.infer<typeof ListEvidenceQuery>;

export const EvidencePage = pageOf(Evidence);
