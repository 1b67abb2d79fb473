/**
 * The local S3-compatible store (s3rver on a folder under `.local/`), with what s3rver lacks
 * and the product relies on, answered with S3's own error codes:
 * - write-once PUTs (`If-None-Match: *` answers 412 when the key exists);
 * - presigned URLs checked as S3 checks them (SigV4 signature over the signed headers,
 *   expiry), so a client sending another content type or length than signed is refused;
 * - a PUT carrying `x-amz-checksum-sha256` is stored only if the body has that SHA-256 and
 *   the declared length (BadDigest, IncompleteBody, XAmzContentSHA256Mismatch otherwise);
 * - buckets named in `checksumBuckets` refuse, as the evidence bucket's policy does, a PUT
 *   without the checksum header or without `If-None-Match: *` (AccessDenied);
 * - ObjectCreated events, raised once the object is whole on disk;
 * - a port file so command-line tools can find a running store or start their own.
 * A PUT is answered only once its object is whole on disk (s3rver answers earlier), and a
 * torn object does not count as existing, so a crash mid-write is repaired by the
 * redelivered batch.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net.js';
import { checkPresigned, isPresigned, type S3ErrorAnswer } from './s3-presigned-check.js';

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
}

/** The bucket and key of a path-style object PUT (not a copy), else undefined. */
function objectTarget(req: IncomingMessage): { bucket: string; key: string } | undefined {
  if (req.method !== 'PUT' || req.headers['x-amz-copy-source']) return undefined;
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Multipart parts, acl, tagging... are subresources; `x-id` and a presigned URL's X-Amz-* are not.
  if ([...url.searchParams.keys()].some((name) => name !== 'x-id' && !/^x-amz-/i.test(name))) return undefined;
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

/** An object written whole, as S3 event notifications describe it. */
export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

export interface LocalS3Options {
  /** Folder holding the objects. */
  readonly directory: string;
  readonly buckets: readonly string[];
  /** @default a free port */
  readonly port?: number;
  /** Where to record the endpoint for other processes; nothing is written when omitted. */
  readonly portFile?: string;
  /** Buckets whose policy requires `x-amz-checksum-sha256` and `If-None-Match: *` on every PUT. @default none */
  readonly checksumBuckets?: readonly string[];
  /** Called once per object written whole (S3's ObjectCreated:Put). */
  readonly onObjectCreated?: (event: ObjectCreated) => void;
  /** The clock presigned URLs are checked against. @default the system clock */
  readonly now?: () => Date;
  /**
   * Browser origins that may PUT and GET objects of `checksumBuckets` with presigned URLs (the
   * web console's uploads), as the evidence bucket's CORS rule allows them in AWS. @default none
   */
  readonly corsOrigins?: readonly string[];
}

/** S3's largest single PUT is 5 GB; the local store buffers checksummed bodies, so it stops well below. */
const MAX_CHECKED_BODY = 512 * 1024 ** 2;

function errorXml(answer: S3ErrorAnswer, resource: string): string {
  const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>${escape(answer.message)}</Message><Resource>${escape(resource)}</Resource><RequestId>${Date.now().toString(16).toUpperCase()}</RequestId></Error>`;
}

function answerError(req: IncomingMessage, res: ServerResponse, answer: S3ErrorAnswer): void {
  req.resume();
  res.statusCode = answer.status;
  res.setHeader('content-type', 'application/xml');
  res.setHeader('connection', 'close');
  res.end(errorXml(answer, (req.url ?? '/').split('?')[0]!));
}

/** The whole body, or the S3 error for a body shorter than its Content-Length. */
function readBody(req: IncomingMessage, declared: number): Promise<Buffer | S3ErrorAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const incomplete: S3ErrorAnswer = { status: 400, code: 'IncompleteBody', message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' };
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= declared) chunks.push(chunk);
    });
    req.on('end', () => resolve(length === declared ? Buffer.concat(chunks) : incomplete));
    req.on('aborted', () => resolve(incomplete));
    req.on('error', () => resolve(incomplete));
  });
}

/**
 * S3's checks of a PUT body against its `x-amz-checksum-sha256` (and a hex `x-amz-content-sha256`).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
function checkBody(req: IncomingMessage, body: Buffer): S3ErrorAnswer | undefined {
  const checksum = String(req.headers['x-amz-checksum-sha256']);
  const declared = Buffer.from(checksum, 'base64');
  if (declared.length !== 32 || declared.toString('base64') !== checksum) {
    return { status: 400, code: 'InvalidRequest', message: 'Value for x-amz-checksum-sha256 header is invalid.' };
  }
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(declared)) return { status: 400, code: 'BadDigest', message: 'The SHA256 you specified did not match the calculated checksum.' };
  const contentSha = req.headers['x-amz-content-sha256'];
  if (typeof contentSha === 'string' && /^[0-9a-fA-F]{64}$/.test(contentSha) && contentSha.toLowerCase() !== digest.toString('hex')) {
    return { status: 400, code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  return undefined;
}

/** A request s3rver can read again: the same head, the checked body. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  Object.assign(copy, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    // A message not `complete` when destroyed counts as aborted and takes the socket with it.
    complete: true,
  });
  copy.push(body);
  copy.push(null);
  return copy;
}

/** The bucket CORS document (S3's XML) for browser uploads and downloads from `origins`. */
function corsConfiguration(origins: readonly string[]): string {
  const escape = (text: string) => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    '<CORSConfiguration><CORSRule>' +
    origins.map((origin) => `<AllowedOrigin>${escape(origin)}</AllowedOrigin>`).join('') +
    '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>' +
    '</CORSRule></CORSConfiguration>'
  );
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: options.corsOrigins?.length && options.checksumBuckets?.includes(name) ? [corsConfiguration(options.corsOrigins)] : [],
    })),
    vhostBuckets: false,
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const checksumBuckets = new Set(options.checksumBuckets ?? []);
  const now = options.now ?? (() => new Date());

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A CORS preflight carries no signature: s3rver answers it from the bucket's CORS rules.
    if (req.method === 'OPTIONS') return handle(req, res);
    if (isPresigned(req.url ?? '/')) {
      const refused = checkPresigned({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, LOCAL_S3_CREDENTIALS, now());
      if (refused) return answerError(req, res, refused);
    }
    const target = objectTarget(req);
    if (!target) return handle(req, res);
    const hasChecksum = req.headers['x-amz-checksum-sha256'] !== undefined;
    if (checksumBuckets.has(target.bucket) && (!hasChecksum || req.headers['if-none-match'] !== '*')) {
      // What the evidence bucket's policy answers (lib/evidence-files.ts): explicit deny.
      return answerError(req, res, { status: 403, code: 'AccessDenied', message: 'Access Denied' });
    }
    if (hasChecksum) {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isSafeInteger(declared)) return answerError(req, res, { status: 411, code: 'MissingContentLength', message: 'You must provide the Content-Length HTTP header.' });
      if (declared > MAX_CHECKED_BODY) return answerError(req, res, { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' });
      const body = await readBody(req, declared);
      if (!Buffer.isBuffer(body)) return answerError(req, res, body);
      const refused = checkBody(req, body);
      if (refused) return answerError(req, res, refused);
      req = replay(req, body);
    }
    const objectPath = s3rver.store.getResourcePath(target.bucket, target.key, 'object');
    const md5Path = s3rver.store.getResourcePath(target.bucket, target.key, 'object.md5');
    const expectedSize = Number(req.headers['content-length'] ?? NaN);
    // s3rver answers before the object is on disk: answer only once it is whole and synced,
    // so a checkpoint taken after the answer never points past an object a crash could lose;
    // ObjectCreated follows the answer, as in S3.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode !== 200 || !Number.isFinite(expectedSize)) return end(...args);
      void untilDurable(objectPath, expectedSize).finally(() => {
        end(...args);
        const etag = String(res.getHeader('etag') ?? '').replaceAll('"', '');
        options.onObjectCreated?.({ bucket: target.bucket, key: target.key, size: expectedSize, etag });
      });
      return res;
    }) as typeof res.end;
    if (req.headers['if-none-match'] !== '*') return handle(req, res);
    const exists = await complete(objectPath, md5Path).catch(() => false);
    if (!exists) return handle(req, res);
    req.resume();
    res.statusCode = 412;
    res.setHeader('content-type', 'application/xml');
    end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
        '<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
    );
  }

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) answerError(req, res, { status: 500, code: 'InternalError', message: String(error) });
    });
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
