/** The scheduled export's use case: seal new archive objects into the next signed manifest. */
import { IntegrityError } from '../core/errors.js';
import { gunzipSync } from 'node:zlib';
import { ARCHIVE_PREFIXES } from '../schemas/archive.js';
import type { Logger } from './archive-batch.js';
import {
  MANIFEST_FORMAT,
  manifestKeyFor,
  parseSignedManifest,
  reconcile,
  serializeSignedManifest,
  sha256Hex,
  signedBytes,
  type Manifest,
  type ManifestObjectEntry,
  type Reconciliation,
} from './manifest.js';
import type { ArchiveReader, ArchiveWriter, AuditEventSource, ManifestHeadStore, ManifestSigner } from './ports.js';
import { parseObjectKey } from './records.js';
import { createHash } from 'node:crypto';

export interface ExportDeps {
  readonly reader: ArchiveReader;
  readonly writer: ArchiveWriter;
  readonly head: ManifestHeadStore;
  readonly signer: ManifestSigner;
  readonly auditEvents: AuditEventSource;
  readonly log: Logger;
}

export interface ExportOptions {
  readonly now: Date;
  /** Events younger than this are left to the next manifest's reconciliation (archive lag). */
  readonly settleMs: number;
  /** How far back, in days, late objects are still looked for in the partitions. */
  readonly lookbackDays?: number;
}

export interface ExportResult {
  readonly manifestKey: string;
  readonly sequence: number;
  readonly objects: number;
  readonly reconciliation: Reconciliation;
}

/** The manifest chain is broken (a manifest missing, altered or unreadable). */
export class ArchiveChainError extends IntegrityError {
  constructor(message: string) {
    super('archive-chain-broken', message);
  }
}

const DAY_MS = 86_400_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

export function decodeLines(body: Uint8Array): unknown[] {
  const text = gunzipSync(body).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); t <= to.getTime(); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * 1. Read the anchored head; walk the recent chain (lookback) to know what is sealed.
 * 2. List the archive partitions of the lookback (everything for the first manifest) and
 *    hash every object no manifest lists yet.
 * 3. Reconcile: audit events in the table for the window [previous window end, now - settle)
 *    against the audit records archived for that window.
 * 4. Sign the manifest (its own key inside), write it, and move the anchored head.
 */
export async function exportManifest(deps: ExportDeps, options: ExportOptions): Promise<ExportResult> {
  const { reader, writer, head: headStore, signer, log } = deps;
  const lookbackDays = options.lookbackDays ?? 3;
  const createdAt = options.now.toISOString();
  const head = await headStore.get();

  const sealed = new Set<string>();
  let previous: Manifest['previous'] = null;
  if (head) {
    const lookbackStart = new Date(options.now.getTime() - lookbackDays * DAY_MS).toISOString();
    let key: string | undefined = head.key;
    let expectedSha = head.sha256;
    let first = true;
    while (key) {
      const body = await reader.get(key);
      if (!body) throw new ArchiveChainError(`Manifest ${key} is missing; run audit:verify`);
      if (sha256Hex(body) !== expectedSha) throw new ArchiveChainError(`Manifest ${key} does not match its recorded hash; run audit:verify`);
      const signed = parseSignedManifest(body);
      if (!signed) throw new ArchiveChainError(`Manifest ${key} is unreadable; run audit:verify`);
      if (first) previous = { key, sha256: expectedSha, signature: signed.signature };
      first = false;
      for (const entry of signed.manifest.objects) sealed.add(entry.key);
      if (signed.manifest.createdAt < lookbackStart || !signed.manifest.previous) break;
      key = signed.manifest.previous.key;
      expectedSha = signed.manifest.previous.sha256;
    }
  }

  const windowFrom = head?.windowTo ?? EPOCH;
  const settled = new Date(options.now.getTime() - options.settleMs).toISOString();
  const windowTo = settled > windowFrom ? settled : windowFrom;

  const prefixes = head
    ? daysBetween(new Date(options.now.getTime() - lookbackDays * DAY_MS), new Date(options.now.getTime() + DAY_MS)).flatMap(
        (day) => [`${ARCHIVE_PREFIXES.audit}dt=${day}/`, `${ARCHIVE_PREFIXES.changes}dt=${day}/`],
      )
    : [ARCHIVE_PREFIXES.audit, ARCHIVE_PREFIXES.changes];

  const bodies = new Map<string, Uint8Array>();
  const entries: ManifestObjectEntry[] = [];
  for (const prefix of prefixes) {
    for await (const listed of reader.list(prefix)) {
      if (sealed.has(listed.key)) continue;
      const body = await reader.get(listed.key);
      if (!body) continue;
      bodies.set(listed.key, body);
      const parsedKey = parseObjectKey(listed.key);
      let records = -1;
      try {
        records = decodeLines(body).length;
      } catch {
        log.error('archive object is not gzip JSON lines', { key: listed.key });
      }
      entries.push({
        key: listed.key,
        sha256: sha256Hex(body),
        size: body.length,
        records,
        firstSequenceNumber: parsedKey?.firstSequenceNumber ?? '',
        lastSequenceNumber: parsedKey?.lastSequenceNumber ?? '',
      });
    }
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : 1));

  // Reconciliation: every audit record archived for the window, sealed before or now.
  const archivedIds: string[] = [];
  if (windowTo > windowFrom) {
    const auditPrefixes = head
      ? daysBetween(new Date(windowFrom), new Date(windowTo)).map((day) => `${ARCHIVE_PREFIXES.audit}dt=${day}/`)
      : [ARCHIVE_PREFIXES.audit];
    for (const prefix of auditPrefixes) {
      for await (const listed of reader.list(prefix)) {
        const body = bodies.get(listed.key) ?? (await reader.get(listed.key));
        if (!body) continue;
        let lines: unknown[] = [];
        try {
          lines = decodeLines(body);
        } catch {
          continue;
        }
        for (const line of lines) {
          const event = line as { eventId?: string; occurredAt?: string };
          if (event.eventId && event.occurredAt && event.occurredAt >= windowFrom && event.occurredAt < windowTo) {
            archivedIds.push(event.eventId);
          }
        }
      }
    }
  }
  const tableIds = windowTo > windowFrom ? await deps.auditEvents.eventIdsBetween(windowFrom, windowTo) : [];
  const reconciliation = reconcile(windowFrom, windowTo, tableIds, archivedIds);

  const sequence = (head?.sequence ?? 0) + 1;
  const manifestKey = manifestKeyFor(sequence, createdAt);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    manifestKey,
    sequence,
    createdAt,
    previous,
    objects: entries,
    reconciliation,
    signing: { keyId: signer.keyId, algorithm: signer.algorithm },
  };
  const signature = Buffer.from(await signer.sign(signedBytes(manifest))).toString('base64');
  const body = serializeSignedManifest({ manifest, signature });
  const sha256 = sha256Hex(body);
  await writer.putObject({
    key: manifestKey,
    body,
    sha256,
    md5: createHash('md5').update(body).digest('base64'),
    contentType: 'application/json',
  });
  await headStore.advance({ key: manifestKey, sha256, sequence, windowTo, createdAt }, head?.sequence);

  if (reconciliation.status === 'MISMATCH') {
    log.error('audit reconciliation mismatch: table and archive differ', { manifestKey, ...reconciliation });
  } else {
    log.info('archive manifest sealed', { manifestKey, sequence, objects: entries.length, auditEvents: reconciliation.tableAuditEvents });
  }
  return { manifestKey, sequence, objects: entries.length, reconciliation };
}
