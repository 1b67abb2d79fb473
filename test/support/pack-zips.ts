/** Tampering with a pack ZIP the way an attacker would: read every entry, change some, write a new, well-formed ZIP. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import yauzl from 'yauzl';
import yazl from 'yazl';

export type Entries = Map<string, Buffer>;

export function readEntries(path: string): Promise<Entries> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: Entries = new Map();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}

/** Writes `edit(entries of source)` as a new ZIP at `target`. */
export async function rewriteZip(source: string, target: string, edit: (entries: Entries) => void): Promise<void> {
  const entries = await readEntries(source);
  edit(entries);
  const zip = new yazl.ZipFile();
  for (const [path, bytes] of entries) zip.addBuffer(bytes, path);
  zip.end();
  const out = createWriteStream(target);
  zip.outputStream.pipe(out);
  await once(out, 'close');
}
