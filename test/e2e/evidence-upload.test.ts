/** A factory's evidence file upload, as a client does it against `npm start`'s runtime. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { signIn } from '../support/local-sign-in.js';

let dataDir: string;
let runtime: LocalRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'evidence-upload-e2e-'));
  runtime = await startLocalRuntime({ port: await freePort(), dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});


async function post(path: string, token: string, body: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('evidence files', () => {
  it('answers a presigned PUT bound to the declared size and SHA-256, which stores exactly that file', async () => {
    const token = await signIn(runtime.url, 'factory1');
    const evidence = await post('/v1/evidence', token, { name: 'Factory audit 2026', docType: 'audit-report' });
    expect(evidence.status).toBe(201);

    const file = Buffer.from('%PDF-1.7 signed audit report\n');
    const sha256 = createHash('sha256').update(file).digest('hex');
    const version = await post(`/v1/evidence/${evidence.body.evidenceId}/versions`, token, {
      notes: 'signed copy',
      file: { fileName: 'audit.pdf', contentType: 'application/pdf', size: file.length, sha256 },
    });
    expect(version.status).toBe(201);
    expect(version.body.version).toBe(2);
    const uploadUrl = new URL(version.body.uploadUrl);
    expect(uploadUrl.searchParams.get('X-Amz-Expires')).toBe('900');
    // S3 refuses a body whose length or SHA-256 differs from these signed headers; the local
    // store does not check them, so here the binding is proven by what the URL signs.
    expect(uploadUrl.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(['content-length', 'content-type', 'host', 'x-amz-checksum-sha256']);

    const checksum = Buffer.from(sha256, 'hex').toString('base64');
    const upload = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf', 'x-amz-checksum-sha256': checksum }, body: file });
    expect(upload.status).toBe(200);
    const key = decodeURIComponent(uploadUrl.pathname.split('/').slice(2).join('/'));
    const storedFile = await fetch(`${runtime.s3Endpoint}/evidence-files/${key}`);
    expect(Buffer.from(await storedFile.arrayBuffer())).toEqual(file);

    const stored = await fetch(`${runtime.url}/v1/evidence/${evidence.body.evidenceId}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await stored.json()) as { versions: { version: number; file?: { sha256: string } }[] };
    expect(body.versions.find((v) => v.version === 2)?.file?.sha256).toBe(sha256);
  });
});
