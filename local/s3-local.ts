/**
 * The local S3-compatible store (s3rver on a folder under `.local/`), with two things
 * s3rver lacks and the archive relies on: write-once PUTs (`If-None-Match: *` answers 412
 * when the key exists, as S3 does) and a port file so command-line tools can find a
 * running store or start their own on the same folder. A PUT is answered only once its
 * object is whole on disk (s3rver answers earlier), and a torn object does not count as
 * existing, so a crash mid-write is repaired by the redelivered batch.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net.js';

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
}

/** The bucket and key of a path-style object PUT (not a copy), else undefined. */
function objectTarget(req: IncomingMessage): { bucket: string; key: string } | undefined {
  if (req.method !== 'PUT' || req.headers['x-amz-copy-source']) return undefined;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if ([...url.searchParams.keys()].some((name) => name !== 'x-id')) return undefined; // multipart parts, acl, tagging...
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  return bucket && key ? { bucket: decodeURIComponent(bucket), key } : undefined;
}

/** An object counts as existing only when whole: its content matches the MD5 s3rver recorded. */
async function complete(objectPath: string, md5Path: string): Promise<boolean> {
  try {
    const [content, md5] = await Promise.all([readFile(objectPath), readFile(md5Path, 'utf8')]);
    return createHash('md5').update(content).digest('hex') === md5.trim();
  } catch {
    return false;
  }
}

async function untilDurable(path: string, size: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      if ((await stat(path)).size === size) {
        const handle = await open(path, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        return;
      }
    } catch {
      // not there yet
    }
    await sleep(2);
  }
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export interface LocalS3 {
  readonly endpoint: string;
  readonly port: number;
  /** True when this process started the store (and stop() closes it). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  /** Folder holding the objects. */
  readonly directory: string;
  readonly buckets: readonly string[];
  /** @default a free port */
  readonly port?: number;
  /** Where to record the endpoint for other processes; nothing is written when omitted. */
  readonly portFile?: string;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
    vhostBuckets: false,
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const server: Server = createServer((req, res) => {
    const target = objectTarget(req);
    if (!target) return handle(req, res);
    const objectPath = s3rver.store.getResourcePath(target.bucket, target.key, 'object');
    const md5Path = s3rver.store.getResourcePath(target.bucket, target.key, 'object.md5');
    const expectedSize = Number(req.headers['content-length'] ?? NaN);
    // s3rver answers before the object is on disk: answer only once it is whole and synced,
    // so a checkpoint taken after the answer never points past an object a crash could lose.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode !== 200 || !Number.isFinite(expectedSize)) return end(...args);
      void untilDurable(objectPath, expectedSize).finally(() => end(...args));
      return res;
    }) as typeof res.end;
    if (req.headers['if-none-match'] !== '*') return handle(req, res);
    complete(objectPath, md5Path).then(
      (exists) => {
        if (!exists) return handle(req, res);
        req.resume();
        res.statusCode = 412;
        res.setHeader('content-type', 'application/xml');
        end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
            '<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
        );
      },
      () => handle(req, res),
    );
  });
  server.keepAliveTimeout = 5_000;
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  if (options.portFile) writeFileSync(options.portFile, JSON.stringify({ endpoint, pid: process.pid }) + '\n');
  return {
    endpoint,
    port,
    owned: true,
    async stop() {
      if (options.portFile && readPortFile(options.portFile)?.endpoint === endpoint) rmSync(options.portFile, { force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function readPortFile(portFile: string): { endpoint: string; pid: number } | undefined {
  if (!existsSync(portFile)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(portFile, 'utf8')) as { endpoint?: unknown; pid?: unknown };
    return typeof parsed.endpoint === 'string' && typeof parsed.pid === 'number' ? { endpoint: parsed.endpoint, pid: parsed.pid } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The store `npm start` runs, if its port file names a live process that answers; else a store of our own on the same folder. */
export async function connectOrStartLocalS3(options: LocalS3Options & { portFile: string }): Promise<LocalS3> {
  const running = readPortFile(options.portFile);
  if (running && alive(running.pid)) {
    try {
      const answer = await fetch(`${running.endpoint}/`, { signal: AbortSignal.timeout(2_000) });
      if (answer.status < 500) {
        return { endpoint: running.endpoint, port: Number(new URL(running.endpoint).port), owned: false, stop: async () => {} };
      }
    } catch {
      // stale port file: start our own store below
    }
  }
  const { portFile: _ignored, ...own } = options;
  return startLocalS3(own);
}

/** The local runtime's data folder; the archive keeps its files in `<it>/archive/`. */
export const DEFAULT_LOCAL_DIR = '.local';

/** The archive's files below the local runtime's data folder (`.local/archive/...`). */
export function localArchivePaths(localDir: string) {
  const root = join(localDir, 'archive');
  return {
    root,
    s3Directory: join(root, 's3'),
    s3PortFile: join(root, 's3.json'),
    runtimeFile: join(root, 'runtime.json'),
    checkpointFile: join(root, 'stream-checkpoints.json'),
    signingKeyFile: join(root, 'manifest-signing-key.pem'),
    exportLockFile: join(root, 'export.lock'),
  };
}

/** The bucket name of the local archive. */
export const LOCAL_ARCHIVE_BUCKET = 'audit-archive';
/** The archiver's on-failure destination in the local S3 store (the ArchiverFailureBucket in AWS). */
export const LOCAL_FAILURE_BUCKET = 'archiver-failures';

/** The one key pair s3rver accepts; DynamoDB Local checks only the shape of credentials, so both take it. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
