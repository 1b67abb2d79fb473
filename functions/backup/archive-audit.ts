/** Reads the archive's audit records (audit/dt=.../*.json.gz) for the drill. */
import { decodeLines } from '../archive/export-manifest.js';
import type { ArchiveReader } from '../archive/ports.js';
import { ARCHIVE_PREFIXES, AuditArchiveRecord } from '../schemas/archive.js';

/** Audit partitions of the days from `from` to `to` (inclusive), or the whole audit prefix. */
export function auditPrefixes(days?: { from: Date; to: Date }): string[] {
  if (!days) return [ARCHIVE_PREFIXES.audit];
  const prefixes: string[] = [];
  for (let t = Date.UTC(days.from.getUTCFullYear(), days.from.getUTCMonth(), days.from.getUTCDate()); t <= days.to.getTime(); t += 86_400_000) {
    prefixes.push(`${ARCHIVE_PREFIXES.audit}dt=${new Date(t).toISOString().slice(0, 10)}/`);
  }
  return prefixes;
}

export async function readArchivedAuditRecords(reader: ArchiveReader, prefixes: readonly string[]): Promise<AuditArchiveRecord[]> {
  const records: AuditArchiveRecord[] = [];
  for (const prefix of prefixes) {
    for await (const listed of reader.list(prefix)) {
      const body = await reader.get(listed.key);
      if (!body) continue;
      for (const line of decodeLines(body)) records.push(AuditArchiveRecord.parse(line));
    }
  }
  return records;
}
