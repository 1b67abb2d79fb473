/** `npm run console:deploy`'s upload against the local S3 store: every file with its type and caching, the page last, the config beside it. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../local/dynamodb-local.js';
import { uploadConsole } from '../../local/console-upload.js';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../local/s3-local.js';

let root: string;
let store: LocalS3;
let s3: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'console-upload-'));
  store = await startLocalS3({ directory: join(root, 's3'), buckets: ['console'] });
  s3 = new S3Client({ endpoint: store.endpoint, region: LOCAL_REGION, credentials: LOCAL_S3_CREDENTIALS, forcePathStyle: true });
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await mkdir(join(dist, '.vite'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html>');
  await writeFile(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(dist, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(join(dist, '.vite', 'manifest.json'), '{}');
});

afterAll(async () => {
  s3?.destroy();
  await store?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('uploadConsole', () => {
  it('uploads each file with its type and caching, the page after its assets, and the config never cached', async () => {
    const config = { authBase: 'https://x.auth.eu-west-1.amazoncognito.com', clientId: 'c1', scopes: 'openid', apiBase: 'https://api.example.com/dev' };
    const keys = await uploadConsole({ s3, bucket: 'console', dir: join(root, 'dist'), config });
    expect(keys).toHaveLength(4);
    expect(keys.indexOf('index.html')).toBe(2);
    expect(keys.at(-1)).toBe('config.json');
    expect(keys).not.toContain('.vite/manifest.json');
    const head = async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: 'console', Key: key }));
      return { type: object.ContentType, cache: object.CacheControl, body: await object.Body!.transformToString() };
    };
    expect(await head('assets/index-abc.js')).toEqual({ type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable', body: 'console.log(1)' });
    expect(await head('assets/index-abc.css')).toMatchObject({ type: 'text/css; charset=utf-8', cache: 'public, max-age=31536000, immutable' });
    expect(await head('index.html')).toMatchObject({ type: 'text/html; charset=utf-8', cache: 'no-cache' });
    const written = await head('config.json');
    expect(written).toMatchObject({ type: 'application/json', cache: 'no-store' });
    expect(JSON.parse(written.body)).toEqual(config);
  });
});
