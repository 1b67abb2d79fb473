/**
 * Uploads a built console (web/dist) and its `/config.json` to the console bucket, each file
 * with its type and caching: a year for hashed assets, a check on every load for the page,
 * never for the config. `npm run console:deploy` calls it against AWS; tests against the
 * local S3 store.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CONSOLE_ASSET_CACHE, CONSOLE_ASSET_PREFIX, CONSOLE_PAGE_CACHE } from '../lib/console-security.js';
import { CONSOLE_CONTENT_TYPES } from './console-site.js';

export interface ConsoleUpload {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The built console. */
  readonly dir: string;
  /** Written as `config.json` (ConsoleConfig of web/src/config.ts). */
  readonly config: Readonly<Record<string, string>>;
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Uploads every file but Vite's manifest, the page last so no visitor gets a page whose assets are missing. */
export async function uploadConsole({ s3, bucket, dir, config }: ConsoleUpload): Promise<string[]> {
  const keys: string[] = [];
  const all = (await files(dir)).map((file) => ({ file, key: relative(dir, file).split(sep).join('/') })).filter(({ key }) => !key.startsWith('.vite/'));
  const ordered = [...all.filter(({ key }) => key !== 'index.html'), ...all.filter(({ key }) => key === 'index.html')];
  for (const { file, key } of ordered) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: await readFile(file),
        ContentType: CONSOLE_CONTENT_TYPES[extname(key)] ?? 'application/octet-stream',
        CacheControl: `/${key}`.startsWith(CONSOLE_ASSET_PREFIX) ? CONSOLE_ASSET_CACHE : CONSOLE_PAGE_CACHE,
      }),
    );
    keys.push(key);
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'config.json', Body: JSON.stringify(config), ContentType: 'application/json', CacheControl: 'no-store' }));
  keys.push('config.json');
  return keys;
}
