/**
 * Manifests: signed, hash-chained lists of archive objects (modelled on CloudTrail digest
 * files). The signature covers the canonical JSON of the manifest, which names its own key,
 * the previous manifest's hash and signature, every object's SHA-256, size, record count
 * and sequence range, and the reconciliation of table against archive.
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { ARCHIVE_PREFIXES } from '../schemas/archive.js';

export const MANIFEST_FORMAT = 'evidence-archive-manifest/1';

export interface ManifestObjectEntry {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly records: number;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
}

export interface Reconciliation {
  /** Audit events with `from <= occurredAt < to` are compared. */
  readonly from: string;
  readonly to: string;
  readonly tableAuditEvents: number;
  readonly archivedAuditEvents: number;
  /** In the table, not in the archive (first 100). */
  readonly missingFromArchive: string[];
  /** In the archive, not in the table (first 100). */
  readonly notInTable: string[];
  /** Archived more than once (first 100). */
  readonly duplicates: string[];
  readonly status: 'MATCH' | 'MISMATCH';
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** Where this manifest is stored: a manifest found elsewhere was moved. */
  readonly manifestKey: string;
  readonly sequence: number;
  readonly createdAt: string;
  readonly previous: { readonly key: string; readonly sha256: string; readonly signature: string } | null;
  readonly objects: ManifestObjectEntry[];
  readonly reconciliation: Reconciliation;
  readonly signing: { readonly keyId: string; readonly algorithm: string };
}

export interface SignedManifest {
  readonly manifest: Manifest;
  /** Base64 signature over `canonicalJson(manifest)`. */
  readonly signature: string;
}

/** JSON with object keys sorted at every level: one byte sequence per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export function manifestKeyFor(sequence: number, createdAt: string): string {
  const compact = createdAt.replace(/[-:.]/g, '');
  return `${ARCHIVE_PREFIXES.manifests}${String(sequence).padStart(10, '0')}_${compact}.json`;
}

export const signedBytes = (manifest: Manifest): Uint8Array => Buffer.from(canonicalJson(manifest), 'utf8');

export function serializeSignedManifest(signed: SignedManifest): Uint8Array {
  return Buffer.from(canonicalJson(signed) + '\n', 'utf8');
}

export function parseSignedManifest(bytes: Uint8Array): SignedManifest | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<SignedManifest>;
    if (!parsed || typeof parsed.signature !== 'string' || !parsed.manifest || parsed.manifest.format !== MANIFEST_FORMAT) {
      return undefined;
    }
    return parsed as SignedManifest;
  } catch {
    return undefined;
  }
}

/** ECDSA (P-256, SHA-256, DER signatures: what KMS `ECDSA_SHA_256` returns) or RSA PKCS#1 v1.5. */
export function verifyManifestSignature(signed: SignedManifest, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    const data = signedBytes(signed.manifest);
    const signature = Buffer.from(signed.signature, 'base64');
    return verifySignature('sha256', data, key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'der' } : key, signature);
  } catch {
    return false;
  }
}

export function reconcile(
  from: string,
  to: string,
  tableEventIds: readonly string[],
  archivedEventIds: readonly string[],
): Reconciliation {
  const table = new Set(tableEventIds);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of archivedEventIds) {
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  const missingFromArchive = [...table].filter((id) => !seen.has(id)).sort();
  const notInTable = [...seen].filter((id) => !table.has(id)).sort();
  const status = missingFromArchive.length + notInTable.length + duplicates.size === 0 ? 'MATCH' : 'MISMATCH';
  return {
    from,
    to,
    tableAuditEvents: table.size,
    archivedAuditEvents: archivedEventIds.length,
    missingFromArchive: missingFromArchive.slice(0, 100),
    notInTable: notInTable.slice(0, 100),
    duplicates: [...duplicates].sort().slice(0, 100),
    status,
  };
}
