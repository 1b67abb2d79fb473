/**
 * Packs, the pure part: where a pack's ZIP lives (a key derived from the pack id alone, so a
 * redelivered build writes the same object), what the ZIP holds (`files/...`, `manifest.json`,
 * `SHA256SUMS`, `manifest.sig`, `public-key.pem`), the manifest as deterministic bytes, the
 * offline verification of a ZIP's entries, and share-link tokens (random, kept only as a hash).
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import type { Pack } from '../schemas/packs.js';

/** A pack's ZIP is kept this long (lifecycle expiry of the packs bucket); the record stays. */
export const PACK_RETENTION_DAYS = 30;
/** A signed-in download of a READY pack; a share link's download lives 60 s. */
export const PACK_DOWNLOAD_TTL_SECONDS = 5 * 60;
export const SHARED_DOWNLOAD_TTL_SECONDS = 60;
export const DEFAULT_LINK_DAYS = 7;
export const PACK_KEY_PREFIX = 'packs/';
/** Receives of one pack job before it moves to the dead-letter queue; the last one marks the pack FAILED. */
export const PACK_JOB_MAX_RECEIVES = 5;

export const MANIFEST_FORMAT = 'evidence-pack/1';
export const ENTRY = { manifest: 'manifest.json', sums: 'SHA256SUMS', signature: 'manifest.sig', publicKey: 'public-key.pem', filesDir: 'files/' } as const;

export const newPackId = (id: string) => `pck_${id}`;
export const newLinkId = (id: string) => `lnk_${id}`;

/** The one object a pack's builds write: the same key for every delivery of its job. */
export function packZipKey(packId: string): string {
  return `${PACK_KEY_PREFIX}${packId}.zip`;
}

/** The ZIP's name when downloaded. */
export function packFileName(pack: Pick<Pack, 'packId'>): string {
  return `${pack.packId}.zip`;
}

/** A version's file inside the ZIP: its evidence and version keep names unique, the file name stays readable. */
export function entryPath(item: { readonly evidenceId: string; readonly version: number; readonly fileName: string }): string {
  return `${ENTRY.filesDir}${item.evidenceId}/v${item.version}/${item.fileName}`;
}

export interface ManifestFile {
  readonly path: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ManifestItem {
  readonly evidenceId: string;
  readonly version: number;
  readonly name: string;
  readonly docType: string;
  /** Absent for a version that carries no file. */
  readonly file?: ManifestFile;
}

export interface PackManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly pack: Pick<Pack, 'packId' | 'title' | 'ownerOrgId' | 'createdAt' | 'createdBy'> & { readonly sharedWithOrgId?: string };
  readonly items: readonly ManifestItem[];
  readonly signature: { readonly algorithm: string; readonly keyId: string; readonly publicKey: typeof ENTRY.publicKey };
}

/** The manifest's bytes: a function of the pack record and the signing key only (no build time), so every build of a pack writes the same ones. */
export function manifestBytes(manifest: PackManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

/** `sha256sum -c` format: every file and the manifest, sorted by path. */
export function sha256Sums(entries: readonly { readonly path: string; readonly sha256: string }[]): Buffer {
  const lines = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => `${e.sha256}  ${e.path}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What offline verification found wrong with one entry (or the whole ZIP). */
export interface PackProblem {
  readonly kind: 'missing' | 'extra' | 'hash-mismatch' | 'size-mismatch' | 'bad-signature' | 'bad-manifest' | 'sums-mismatch' | 'duplicate';
  readonly path: string;
  readonly detail: string;
}

export interface PackVerifyReport {
  readonly ok: boolean;
  readonly packId?: string;
  readonly files: number;
  readonly problems: readonly PackProblem[];
  readonly summary: string;
}

export interface ZipEntryFacts {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** The bytes, kept only for the small control entries (manifest, sums, signature, key). */
  readonly bytes?: Buffer;
}

const CONTROL_ENTRIES = new Set<string>([ENTRY.manifest, ENTRY.sums, ENTRY.signature, ENTRY.publicKey]);
export const isControlEntry = (path: string) => CONTROL_ENTRIES.has(path);

function parseSums(text: string): Map<string, string> | undefined {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) return undefined;
    sums.set(match[2]!, match[1]!);
  }
  return sums;
}

/**
 * Verifies a pack's entries offline: the manifest's signature under the included public key,
 * every file against the manifest's size and SHA-256, SHA256SUMS against both, and that the
 * ZIP holds exactly the manifest's files and the control entries (nothing missing, nothing extra).
 * `trustedKeyPem`, when given, must equal the included key (a verifier that knows the product's key).
 */
export function verifyPackEntries(entries: readonly ZipEntryFacts[], trustedKeyPem?: string): PackVerifyReport {
  const problems: PackProblem[] = [];
  const byPath = new Map<string, ZipEntryFacts>();
  for (const entry of entries) {
    if (byPath.has(entry.path)) problems.push({ kind: 'duplicate', path: entry.path, detail: 'the ZIP holds this path twice' });
    byPath.set(entry.path, entry);
  }
  const finish = (packId?: string, files = 0): PackVerifyReport => {
    const ok = problems.length === 0;
    return {
      ok,
      ...(packId && { packId }),
      files,
      problems,
      summary: ok ? `VERIFIED pack ${packId}: ${files} files, every hash and the signature check out` : `TAMPERED ${packId ?? 'pack'}: ${problems.length} problem(s)`,
    };
  };
  for (const name of CONTROL_ENTRIES) {
    if (!byPath.get(name)?.bytes) problems.push({ kind: 'missing', path: name, detail: 'a pack always holds it' });
  }
  const manifestEntry = byPath.get(ENTRY.manifest);
  if (!manifestEntry?.bytes) return finish();
  let manifest: PackManifest;
  try {
    manifest = JSON.parse(manifestEntry.bytes.toString('utf8')) as PackManifest;
    if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.items)) throw new Error(`not a ${MANIFEST_FORMAT} manifest`);
  } catch (error) {
    problems.push({ kind: 'bad-manifest', path: ENTRY.manifest, detail: error instanceof Error ? error.message : String(error) });
    return finish();
  }
  const packId = manifest.pack?.packId;

  const signature = byPath.get(ENTRY.signature)?.bytes;
  const publicKey = byPath.get(ENTRY.publicKey)?.bytes;
  if (signature && publicKey) {
    let valid = false;
    try {
      const key = createPublicKey(publicKey.toString('utf8'));
      valid = verify('sha256', manifestEntry.bytes, { key, dsaEncoding: 'der' }, signature);
      if (valid && trustedKeyPem !== undefined && !createPublicKey(trustedKeyPem).equals(key)) {
        problems.push({ kind: 'bad-signature', path: ENTRY.publicKey, detail: 'the included public key is not the trusted one' });
      }
    } catch (error) {
      problems.push({ kind: 'bad-signature', path: ENTRY.publicKey, detail: `unreadable key or signature: ${error instanceof Error ? error.message : String(error)}` });
    }
    if (!valid && !problems.some((p) => p.kind === 'bad-signature')) {
      problems.push({ kind: 'bad-signature', path: ENTRY.signature, detail: 'the signature does not match manifest.json under public-key.pem' });
    }
  }

  const declared = new Map<string, ManifestFile>();
  for (const item of manifest.items) if (item.file) declared.set(item.file.path, item.file);
  for (const [path, file] of declared) {
    const entry = byPath.get(path);
    if (!entry) {
      problems.push({ kind: 'missing', path, detail: `declared by the manifest (${file.size} bytes)` });
      continue;
    }
    if (entry.size !== file.size) problems.push({ kind: 'size-mismatch', path, detail: `${entry.size} bytes, the manifest says ${file.size}` });
    if (entry.sha256 !== file.sha256) problems.push({ kind: 'hash-mismatch', path, detail: `SHA-256 ${entry.sha256}, the manifest says ${file.sha256}` });
  }
  for (const path of byPath.keys()) {
    if (!isControlEntry(path) && !declared.has(path)) problems.push({ kind: 'extra', path, detail: 'not in the manifest' });
  }

  const sumsBytes = byPath.get(ENTRY.sums)?.bytes;
  if (sumsBytes) {
    const sums = parseSums(sumsBytes.toString('utf8'));
    const expected = new Map([...declared].map(([path, file]) => [path, file.sha256]));
    expected.set(ENTRY.manifest, manifestEntry.sha256);
    if (!sums) problems.push({ kind: 'sums-mismatch', path: ENTRY.sums, detail: 'not in `sha256sum` format' });
    else {
      for (const [path, sha] of expected) {
        if (sums.get(path) !== sha) problems.push({ kind: 'sums-mismatch', path, detail: sums.has(path) ? `SHA256SUMS says ${sums.get(path)}` : 'missing from SHA256SUMS' });
      }
      for (const path of sums.keys()) if (!expected.has(path)) problems.push({ kind: 'sums-mismatch', path, detail: 'in SHA256SUMS but not in the manifest' });
    }
  }
  return finish(packId, declared.size);
}

/** A share-link token: 256 random bits, base64url (43 characters). */
export function newShareToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the table keeps of a token: its SHA-256, never the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Only the shape a token can have reaches the table; anything else is simply unknown. */
export function isTokenShaped(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
