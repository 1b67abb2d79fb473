/**
 * Reads a pack ZIP for offline verification: every entry streamed once through SHA-256 (so a
 * multi-gigabyte pack is checked in constant memory), the small control entries kept whole.
 * Reading is yauzl's (the reader companion of the builder's yazl; it checks each entry's
 * declared size and CRC and reads ZIP64).
 */
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { isControlEntry, verifyPackEntries, type PackVerifyReport, type ZipEntryFacts } from '../functions/core/packs.js';

/** Control entries are small; anything past this is not a pack's. */
const MAX_CONTROL_BYTES = 16 * 1024 ** 2;

export function readZipEntries(path: string): Promise<ZipEntryFacts[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${path}`));
      const entries: ZipEntryFacts[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const hash = createHash('sha256');
          const keep = isControlEntry(entry.fileName) && entry.uncompressedSize <= MAX_CONTROL_BYTES;
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            size += chunk.length;
            if (keep) chunks.push(chunk);
          });
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({ path: entry.fileName, size, sha256: hash.digest('hex'), ...(keep && { bytes: Buffer.concat(chunks) }) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Verifies the pack ZIP at `path` (see verifyPackEntries); `trustedKeyPem` pins the signing key. */
export async function verifyPackZip(path: string, trustedKeyPem?: string): Promise<PackVerifyReport> {
  return verifyPackEntries(await readZipEntries(path), trustedKeyPem);
}
