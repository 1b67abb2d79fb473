/**
 * Evidence files, the pure part: where an uploaded file is stored (a key the server chooses,
 * never derived from the file name), how its stored object is judged against the declared
 * size and SHA-256, and how a download is named (RFC 6266 / RFC 5987 Content-Disposition).
 */
import { randomBytes } from 'node:crypto';


/** Presigned PUTs live 15 minutes (contract), presigned GETs 5 minutes at most. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

/** The object tag the verifier sets on a rejected object; a lifecycle rule expires tagged objects. */
export const REJECTED_TAG = { key: 'evidence-file-status', value: 'REJECTED' } as const;
/** The tag GuardDuty Malware Protection for S3 sets on every scanned object, and its infected value. */
export const MALWARE_SCAN_TAG = { key: 'GuardDutyMalwareScanStatus', threatsFound: 'THREATS_FOUND' } as const;

export const EVIDENCE_KEY_PREFIX = 'evidence/';
/** Segments the server puts in a key: organisation ids, evidence ids, file ids. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;
const KEY_PATTERN = /^evidence\/([A-Za-z0-9_-]{1,100})\/([A-Za-z0-9_-]{1,100})\/v([1-9][0-9]{0,9})\/([A-Za-z0-9_-]{1,100})$/;

export interface FileLocation {
  readonly factoryId: string;
  readonly evidenceId: string;
  readonly version: number;
  readonly fileId: string;
}

/** 128 random bits, base32 (lowercase, no padding): unguessable and safe in a key. */
export function newFileId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return `fil_${out}`;
}

/**
 * `evidence/<factoryId>/<evidenceId>/v<version>/<fileId>`. Every part comes from the server;
 * a part that is not a plain id is a programming error, refused loudly rather than stored.
 */
export function evidenceFileKey(location: FileLocation): string {
  for (const [name, value] of [['factoryId', location.factoryId], ['evidenceId', location.evidenceId], ['fileId', location.fileId]] as const) {
    if (!SAFE_SEGMENT.test(value)) throw new Error(`evidenceFileKey: ${name} ${JSON.stringify(value)} is not a plain id ([A-Za-z0-9_-]{1,100})`);
  }
  if (!Number.isSafeInteger(location.version) || location.version < 1) throw new Error(`evidenceFileKey: version ${location.version} is not a positive integer`);
  return `${EVIDENCE_KEY_PREFIX}${location.factoryId}/${location.evidenceId}/v${location.version}/${location.fileId}`;
}

/** The location an object key names, or undefined for a key the server never hands out. */
export function parseEvidenceFileKey(key: string): FileLocation | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  return { factoryId: match[1]!, evidenceId: match[2]!, version: Number(match[3]), fileId: match[4]! };
}

export interface DeclaredFile {
  readonly size: number;
  readonly sha256: string;
}

export interface MeasuredObject {
  readonly size: number;
  readonly sha256: string;
}

export type Verdict =
  | { readonly status: 'AVAILABLE' }
  | { readonly status: 'REJECTED'; readonly reason: 'size-mismatch' | 'sha256-mismatch' | 'malware' | 'unknown-object' };

/** A stored object is AVAILABLE only when it has exactly the declared size and SHA-256. */
export function judgeObject(declared: DeclaredFile, measured: MeasuredObject): Verdict {
  if (measured.size !== declared.size) return { status: 'REJECTED', reason: 'size-mismatch' };
  if (measured.sha256 !== declared.sha256) return { status: 'REJECTED', reason: 'sha256-mismatch' };
  return { status: 'AVAILABLE' };
}

/** RFC 5987 `attr-char`: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is percent-encoded UTF-8. */
function encodeRfc5987(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The `filename=` fallback for old clients: printable ASCII only, without quote, backslash or percent. */
function asciiFallback(fileName: string): string {
  const fallback = [...fileName.normalize('NFKD')]
    .map((char) => (/[\x20-\x7e]/.test(char) && !/["\\%]/.test(char) ? char : /\p{M}/u.test(char) ? '' : '_'))
    .join('')
    .trim();
  return fallback.length > 0 && fallback !== '.' && fallback !== '..' ? fallback : 'download';
}

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 §4.3:
 * clients that know `filename*` prefer it). The file name passed validation (no control
 * characters, no path separators, well-formed UTF-16), so nothing here can break the header.
 */
export function attachmentDisposition(fileName: string): string {
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}
