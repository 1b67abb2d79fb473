/** The local runtime's cursor key: 32 random bytes under `.local/keys/`, made on first start, readable by the owner only. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const KEY_FILE = 'cursor.key';

export async function loadOrCreateCursorKey(dir: string): Promise<Buffer> {
  const file = join(dir, KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const key = await readFile(file);
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    if (key.length === 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, key, { mode: 0o600, flag: 'wx' });
  await rename(temp, file);
  return key;
}
