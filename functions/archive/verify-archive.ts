/**
 * Verifies the archive like CloudTrail's `validate-logs`: walks the manifest chain from the
 * anchored head to the first manifest, checks every hash, signature and location, re-hashes
 * every listed object, and reports each problem by object plus a summary.
 */
import { ARCHIVE_PREFIXES } from '../schemas/archive.js';
import { parseSignedManifest, sha256Hex, verifyManifestSignature, type SignedManifest } from './manifest.js';
import type { ArchiveReader, ListedObject, ManifestHead, ManifestKeyResolver } from './ports.js';

export type ProblemKind = 'altered' | 'missing' | 'moved' | 'unlisted' | 'invalid-signature' | 'chain-broken' | 'reconciliation-mismatch';

export interface Problem {
  readonly kind: ProblemKind;
  /** The object or manifest concerned. */
  readonly key: string;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly problems: Problem[];
  readonly manifests: number;
  readonly objects: number;
  /** Objects archived after the newest manifest: the next export seals them. */
  readonly pending: string[];
  readonly summary: string;
}

export interface VerifyDeps {
  readonly reader: ArchiveReader;
  readonly keys: ManifestKeyResolver;
  /** The anchored chain head (DynamoDB `SYSTEM#manifest-head`); undefined when none is recorded. */
  readonly head: ManifestHead | undefined;
}

async function listAll(reader: ArchiveReader, prefix: string): Promise<Map<string, ListedObject>> {
  const out = new Map<string, ListedObject>();
  for await (const listed of reader.list(prefix)) out.set(listed.key, listed);
  return out;
}

export async function verifyArchive(deps: VerifyDeps): Promise<VerifyReport> {
  const { reader, head } = deps;
  const problems: Problem[] = [];
  const manifestsListed = await listAll(reader, ARCHIVE_PREFIXES.manifests);
  const objectsListed = new Map([...(await listAll(reader, ARCHIVE_PREFIXES.audit)), ...(await listAll(reader, ARCHIVE_PREFIXES.changes))]);
  const publicKeys = new Map<string, string>();
  const keyFor = async (keyId: string) => {
    if (!publicKeys.has(keyId)) publicKeys.set(keyId, await deps.keys.publicKeyPem(keyId));
    return publicKeys.get(keyId)!;
  };

  // Manifests listed in the store, by sequence, to step over a missing link.
  const bySequence = new Map<number, { key: string; body: Uint8Array; signed: SignedManifest }>();
  for (const key of manifestsListed.keys()) {
    const body = await reader.get(key);
    const signed = body && parseSignedManifest(body);
    if (body && signed && !bySequence.has(signed.manifest.sequence)) bySequence.set(signed.manifest.sequence, { key, body, signed });
  }

  const visited = new Set<string>();
  const expectedObjects = new Map<string, { sha256: string; manifest: string }>();
  let manifests = 0;
  if (!head && manifestsListed.size > 0) {
    problems.push({ kind: 'chain-broken', key: 'SYSTEM#manifest-head', detail: 'manifests exist but no chain head is anchored in the table' });
  }
  let link: { key: string; sha256: string | undefined; sequence: number | undefined } | undefined = head
    ? { key: head.key, sha256: head.sha256, sequence: head.sequence }
    : undefined;
  while (link) {
    let body = await reader.get(link.key);
    let foundAt = link.key;
    if (!body) {
      const moved = link.sha256
        ? [...bySequence.values()].find((m) => !visited.has(m.key) && sha256Hex(m.body) === link!.sha256)
        : undefined;
      if (moved) {
        problems.push({ kind: 'moved', key: link.key, detail: `manifest found at ${moved.key}` });
        body = moved.body;
        foundAt = moved.key;
      } else {
        const newest = head && link.key === head.key ? ' (the newest manifest, anchored in the table)' : '';
        problems.push({ kind: 'missing', key: link.key, detail: `manifest${newest} is missing` });
        const fallback = link.sequence !== undefined ? bySequence.get(link.sequence - 1) : undefined;
        if (!fallback) break;
        link = { key: fallback.key, sha256: undefined, sequence: fallback.signed.manifest.sequence };
        continue;
      }
    }
    visited.add(foundAt);
    manifests++;
    const signed = parseSignedManifest(body);
    if (link.sha256 && sha256Hex(body) !== link.sha256) {
      problems.push({ kind: 'altered', key: foundAt, detail: 'manifest does not match the hash recorded by its successor or the anchored head' });
    }
    if (!signed) {
      problems.push({ kind: 'altered', key: foundAt, detail: 'manifest is unreadable' });
      break;
    }
    const manifest = signed.manifest;
    if (!verifyManifestSignature(signed, await keyFor(manifest.signing.keyId).catch(() => ''))) {
      problems.push({ kind: 'invalid-signature', key: foundAt, detail: `signature does not verify with key ${manifest.signing.keyId}` });
    }
    if (manifest.manifestKey !== foundAt && foundAt === link.key) {
      problems.push({ kind: 'moved', key: foundAt, detail: `manifest says it belongs at ${manifest.manifestKey}` });
    }
    if (link.sequence !== undefined && manifest.sequence !== link.sequence) {
      problems.push({ kind: 'chain-broken', key: foundAt, detail: `sequence ${manifest.sequence}, expected ${link.sequence}` });
    }
    if (manifest.reconciliation.status === 'MISMATCH') {
      const r = manifest.reconciliation;
      problems.push({
        kind: 'reconciliation-mismatch',
        key: foundAt,
        detail: `window ${r.from}..${r.to}: ${r.tableAuditEvents} in table, ${r.archivedAuditEvents} archived; missing ${r.missingFromArchive.join(',') || '-'}; unknown ${r.notInTable.join(',') || '-'}; duplicated ${r.duplicates.join(',') || '-'}`,
      });
    }
    for (const entry of manifest.objects) expectedObjects.set(entry.key, { sha256: entry.sha256, manifest: foundAt });
    if (!manifest.previous) {
      if (manifest.sequence !== 1) problems.push({ kind: 'chain-broken', key: foundAt, detail: 'chain ends before the first manifest' });
      break;
    }
    link = { key: manifest.previous.key, sha256: manifest.previous.sha256, sequence: manifest.sequence - 1 };
    if (visited.has(link.key)) {
      problems.push({ kind: 'chain-broken', key: foundAt, detail: 'chain loops' });
      break;
    }
  }
  for (const key of manifestsListed.keys()) {
    if (!visited.has(key)) problems.push({ kind: 'unlisted', key, detail: 'manifest is not part of the chain' });
  }

  // Objects: every listed one must be present and unchanged; every present one must be listed.
  const missing = new Map<string, string>();
  for (const [key, expected] of expectedObjects) {
    if (!objectsListed.has(key)) {
      missing.set(expected.sha256, key);
      continue;
    }
    const body = await reader.get(key);
    if (!body) missing.set(expected.sha256, key);
    else if (sha256Hex(body) !== expected.sha256) {
      problems.push({ kind: 'altered', key, detail: `SHA-256 differs from ${expected.manifest}` });
    }
  }
  const pending: string[] = [];
  const movedFrom = new Set<string>();
  for (const [key, listed] of objectsListed) {
    if (expectedObjects.has(key)) continue;
    const body = await reader.get(key);
    const original = body ? missing.get(sha256Hex(body)) : undefined;
    if (original) {
      problems.push({ kind: 'moved', key: original, detail: `object found at ${key}` });
      movedFrom.add(original);
    } else if (head && listed.lastModified.getTime() >= Date.parse(head.createdAt) - 1_000 && !manifestsListed.has(key)) {
      pending.push(key);
    } else if (!head) {
      pending.push(key);
    } else {
      problems.push({ kind: 'unlisted', key, detail: 'object is in the archive but in no manifest' });
    }
  }
  for (const key of missing.values()) {
    if (!movedFrom.has(key)) problems.push({ kind: 'missing', key, detail: `listed in ${expectedObjects.get(key)?.manifest} but not in the archive` });
  }

  const counts = problems.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.kind]: (acc[p.kind] ?? 0) + 1 }), {});
  const ok = problems.length === 0;
  const summary =
    `${ok ? 'INTACT' : 'FAILED'}: ${manifests} manifests, ${expectedObjects.size} objects verified` +
    `, ${pending.length} awaiting the next manifest` +
    (ok ? '' : `; problems: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return { ok, problems, manifests, objects: expectedObjects.size, pending, summary };
}
