/**
 * The local S3 store's own checks, below the API: what it answers a PUT whose body does not
 * match its headers, in S3's error codes, and that it raises one ObjectCreated per whole object.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3, type ObjectCreated } from '../../local/s3-local.js';

let store: LocalS3;
let directory: string;
const created: ObjectCreated[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 's3-local-store-'));
  store = await startLocalS3({ directory, buckets: ['evidence-files', 'plain'], checksumBuckets: ['evidence-files'], onObjectCreated: (e) => created.push(e) });
});
afterAll(async () => {
  await store?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest();
const codeOf = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

/**
 * A PUT over a raw socket, so the headers can lie about the body: head as given, then `sent`,
 * then the answer (every request says `Connection: close`, so the server ends the socket).
 */
function rawPut(path: string, headers: Record<string, string>, sent: Buffer): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect(store.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve({ status: Number(answer.split(' ')[1]), code: codeOf(answer) }));
    socket.on('error', reject);
    const head = [`PUT ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    socket.write(Buffer.concat([Buffer.from(head), sent]));
  });
}

/** A PUT whose connection drops before the declared Content-Length arrived. */
async function abortedPut(path: string, headers: Record<string, string>, sent: Buffer): Promise<void> {
  const socket = connect(store.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write([`PUT ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
  socket.write(sent);
  await new Promise((r) => setTimeout(r, 100));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 100));
}

describe('the local S3 store', () => {
  const bytes = Buffer.from('%PDF-1.7 twenty bytes');
  const checksum = sha(bytes).toString('base64');

  it('never stores a body shorter than its Content-Length, nor raises an event for it', async () => {
    created.length = 0;
    await abortedPut('/evidence-files/evidence/short', { 'Content-Length': String(bytes.length + 10), 'x-amz-checksum-sha256': checksum, 'If-None-Match': '*' }, bytes);
    expect((await fetch(`${store.endpoint}/evidence-files/evidence/short`)).status).toBe(404);
    expect(created).toEqual([]);
  });

  it('answers BadDigest, InvalidRequest and XAmzContentSHA256Mismatch as S3 does', async () => {
    const other = Buffer.from(bytes.toString().toUpperCase());
    expect(await rawPut('/plain/digest', { 'Content-Length': String(other.length), 'x-amz-checksum-sha256': checksum }, other)).toEqual({ status: 400, code: 'BadDigest' });
    expect(await rawPut('/plain/invalid', { 'Content-Length': String(bytes.length), 'x-amz-checksum-sha256': 'abc' }, bytes)).toEqual({ status: 400, code: 'InvalidRequest' });
    expect(
      await rawPut('/plain/content-sha', { 'Content-Length': String(bytes.length), 'x-amz-checksum-sha256': checksum, 'x-amz-content-sha256': sha(other).toString('hex') }, bytes),
    ).toEqual({ status: 400, code: 'XAmzContentSHA256Mismatch' });
  });

  it('refuses, as the evidence bucket policy does, a PUT without the checksum or If-None-Match (other buckets do not care)', async () => {
    expect(await rawPut('/evidence-files/evidence/x', { 'Content-Length': String(bytes.length), 'If-None-Match': '*' }, bytes)).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await rawPut('/evidence-files/evidence/x', { 'Content-Length': String(bytes.length), 'x-amz-checksum-sha256': checksum }, bytes)).toEqual({ status: 403, code: 'AccessDenied' });
    expect((await rawPut('/plain/no-checksum', { 'Content-Length': String(bytes.length) }, bytes)).status).toBe(200);
  });

  it('stores a matching body whole and raises exactly one ObjectCreated for it, none for refused ones', async () => {
    created.length = 0;
    const put = await rawPut('/evidence-files/evidence/ok', { 'Content-Length': String(bytes.length), 'x-amz-checksum-sha256': checksum, 'If-None-Match': '*' }, bytes);
    expect(put.status).toBe(200);
    expect((await rawPut('/evidence-files/evidence/ok', { 'Content-Length': String(bytes.length), 'x-amz-checksum-sha256': checksum, 'If-None-Match': '*' }, bytes)).code).toBe('PreconditionFailed');
    await new Promise((r) => setTimeout(r, 100));
    expect(created).toEqual([{ bucket: 'evidence-files', key: 'evidence/ok', size: bytes.length, etag: createHash('md5').update(bytes).digest('hex') }]);
    const stored = await fetch(`${store.endpoint}/evidence-files/evidence/ok`);
    expect(Buffer.from(await stored.arrayBuffer())).toEqual(bytes);
  });
});
