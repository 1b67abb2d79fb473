/** A factory's evidence library: documents with immutable, numbered versions. */
import * as z from 'zod/mini';
import { Cursor, DocType, Id, InputTimestamp, Limit, Name, ShortText, Timestamp, pageOf } from './common.js';

/** The content types an evidence file may have (contract 1.1, "Evidence files"). */
export const FILE_CONTENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;
export const MAX_FILE_SIZE = 100 * 1024 ** 2;

/** Control characters (C0, DEL) and the bidirectional overrides and isolates. */
const FORBIDDEN_IN_FILE_NAME = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069/\\]/u;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Metadata only: it never reaches a storage key, and reaches a download only through an
 * encoded Content-Disposition. 1-255 characters (code points), no `/`, `\`, control or
 * bidirectional-override characters, not `.` or `..`, and well-formed UTF-16 (a lone
 * surrogate cannot be encoded as UTF-8).
 */
export const FileName = z.string().check(
  z.refine((name) => [...name].length >= 1 && [...name].length <= 255, 'must be 1-255 characters'),
  z.refine((name) => !FORBIDDEN_IN_FILE_NAME.test(name), 'must not contain /, \\, control or bidirectional-override characters'),
  z.refine((name) => name !== '.' && name !== '..', 'must not be . or ..'),
  z.refine((name) => !LONE_SURROGATE.test(name), 'must be well-formed Unicode (no lone surrogates)'),
);

export const FileInfo = z.strictObject({
  fileName: FileName,
  contentType: z.enum(FILE_CONTENT_TYPES),
  size: z.int().check(z.minimum(1), z.maximum(MAX_FILE_SIZE)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')),
});
export type FileInfo = z.infer<typeof FileInfo>;

/** PENDING_UPLOAD until the stored object was checked; AVAILABLE or REJECTED for good then. */
export const FileStatus = z.enum(['PENDING_UPLOAD', 'AVAILABLE', 'REJECTED']);
export type FileStatus = z.infer<typeof FileStatus>;

/** A version's file as clients see it. */
export const EvidenceFile = z.object({ ...FileInfo.shape, status: FileStatus });
export type EvidenceFile = z.infer<typeof EvidenceFile>;

/** A version's file as stored: also the random id in its storage key (never shown). */
export type StoredEvidenceFile = EvidenceFile & { readonly fileId: string };

export const EvidenceVersion = z.object({
  version: z.int(),
  createdAt: Timestamp,
  createdBy: Id,
  expiresAt: z.optional(Timestamp),
  notes: z.optional(ShortText),
  file: z.optional(EvidenceFile),
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

const DeclaredFile = z.optional(FileInfo.check(z.describe('The file this version carries: the answer holds a presigned PUT for exactly this size, SHA-256 and content type.')));

export const CreateEvidenceBody = z.strictObject({
  name: Name,
  docType: DocType,
  notes: z.optional(ShortText),
  expiresAt: z.optional(InputTimestamp),
  file: DeclaredFile,
});
export type CreateEvidenceBody = z.infer<typeof CreateEvidenceBody>;

const UploadUrl = z.string().check(
  z.describe('Presigned PUT, valid 15 minutes. Send exactly the signed headers: Content-Type, Content-Length, x-amz-checksum-sha256 (base64 of the SHA-256) and If-None-Match: *.'),
);

/** The created Evidence, and `uploadUrl` when version 1 carries a file. */
export const CreateEvidenceResult = z.object({ ...Evidence.shape, uploadUrl: z.optional(UploadUrl) });
export type CreateEvidenceResult = z.infer<typeof CreateEvidenceResult>;

export const AddVersionBody = z.strictObject({
  notes: z.optional(ShortText),
  expiresAt: z.optional(InputTimestamp),
  file: DeclaredFile,
});
export type AddVersionBody = z.infer<typeof AddVersionBody>;

export const AddVersionResult = z.object({ version: z.int(), uploadUrl: z.optional(UploadUrl) });
export type AddVersionResult = z.infer<typeof AddVersionResult>;

export const EvidencePath = z.strictObject({ evidenceId: Id });
/** Path parameters arrive as text: a version number is plain decimal digits. */
export const VersionPath = z.strictObject({
  evidenceId: Id,
  version: z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (1, 2, 3, ...)')), z.transform(Number)),
});

/** `upload-url` takes no fields: an empty body (or `{}`) only. */
export const UploadUrlBody = z.strictObject({});
export type UploadUrlBody = z.infer<typeof UploadUrlBody>;

export const UploadUrlResult = z.object({
  uploadUrl: UploadUrl,
  expiresAt: Timestamp.check(z.describe('When the upload URL stops working.')),
});
export type UploadUrlResult = z.infer<typeof UploadUrlResult>;

export const FileDownload = z.object({
  downloadUrl: z.string().check(z.describe('Presigned GET, valid 5 minutes at most; the file downloads as an attachment under its fileName.')),
  expiresAt: Timestamp.check(z.describe('When the download URL stops working.')),
  fileName: FileName,
  contentType: FileInfo.shape.contentType,
  size: FileInfo.shape.size,
  sha256: FileInfo.shape.sha256.check(z.describe('Hex SHA-256 the stored object was checked against.')),
});
export type FileDownload = z.infer<typeof FileDownload>;
export const ListEvidenceQuery = z.strictObject({ docType: z.optional(DocType), limit: Limit, cursor: Cursor });
export type ListEvidenceQuery = z.infer<typeof ListEvidenceQuery>;

export const EvidencePage = pageOf(Evidence);
