/**
 * Evidence files through the API, over the real local S3 store: uploads at create and at a
 * new version, what the store refuses, what the verifier marks REJECTED, who may download,
 * that presigned URLs expire, and the audit events of it all.
 */
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCreatedEvent } from '../../local/object-events.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { declaredFile, EVIDENCE_BUCKET, putToUploadUrl, sha256Of, startLocalEvidenceStore, type LocalEvidenceStore } from '../support/evidence-files.js';

let store: LocalEvidenceStore;
let api: TestApi;
let verify: ReturnType<LocalEvidenceStore['connectVerifier']>;

beforeAll(async () => {
  store = await startLocalEvidenceStore();
  api = await startTestApi({ fileUrls: store.fileUrls() });
  verify = store.connectVerifier(api.table);
});
afterAll(async () => {
  await api?.stop();
  await store?.stop();
});

const pdf = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);
const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/'));
const KEY = /^evidence\/F001\/evd_[0-9A-Z]{26}\/v\d+\/fil_[a-z2-7]{26}$/;

async function evidenceWithFile(bytes: Buffer, fileName = 'report.pdf') {
  const created = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'Test report', docType: 'test-report', file: declaredFile(bytes, fileName) } });
  expect(created.status).toBe(201);
  return { evidenceId: created.body.evidenceId as string, uploadUrl: created.body.uploadUrl as string, body: created.body };
}

async function uploaded(bytes: Buffer) {
  const evidence = await evidenceWithFile(bytes);
  expect((await putToUploadUrl(evidence.uploadUrl, bytes)).status).toBe(200);
  await store.events.idle();
  return evidence;
}

const fileStatus = async (evidenceId: string, version = 1) =>
  (await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'factory1' })).body.versions.find((v: { version: number }) => v.version === version).file.status;

async function shareWithBuyer1(evidenceId: string, version?: number) {
  const request = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'files', items: [{ docType: 'test-report' }] } });
  return api.call('POST', `/v1/requests/${request.body.requestId}/items/${request.body.items[0].itemId}/fulfill`, {
    as: 'factory1',
    body: { evidenceId, ...(version !== undefined && { version }) },
  });
}

const eventsOf = async (requestId: string) => (await api.auditEvents()).filter((e) => e.correlationId === requestId);

describe('upload', () => {
  it('at create: version 1 PENDING_UPLOAD under a server-chosen key, AVAILABLE once the verifier checked the stored object', async () => {
    const bytes = pdf('created with its file');
    const { evidenceId, uploadUrl, body } = await evidenceWithFile(bytes, 'Zertifikat (final).pdf');
    expect(body.versions[0].file).toEqual({ ...declaredFile(bytes, 'Zertifikat (final).pdf'), status: 'PENDING_UPLOAD' });
    expect(keyOf(uploadUrl)).toMatch(KEY);
    expect(keyOf(uploadUrl)).toContain(`/${evidenceId}/v1/`);
    expect(new URL(uploadUrl).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(new URL(uploadUrl).searchParams.get('X-Amz-SignedHeaders')!.split(';').sort()).toEqual(['content-length', 'content-type', 'host', 'if-none-match', 'x-amz-checksum-sha256']);

    expect((await putToUploadUrl(uploadUrl, bytes)).status).toBe(200);
    await store.events.idle();
    expect(await fileStatus(evidenceId)).toBe('AVAILABLE');
    const verified = (await api.auditEvents()).filter((e) => e.action === 'evidence.file.verify' && e.resource.id === evidenceId);
    expect(verified).toHaveLength(1);
    expect(verified[0]).toMatchObject({ outcome: 'SUCCESS', actor: { userId: 'system', role: 'system' }, changes: { version: 1, status: { from: 'PENDING_UPLOAD', to: 'AVAILABLE' }, size: bytes.length } });
  });

  it('at a new version: 201 {version, uploadUrl} for that version, AVAILABLE once uploaded', async () => {
    const { evidenceId } = await uploaded(pdf('v1'));
    const bytes = pdf('v2, renewed');
    const added = await api.call('POST', `/v1/evidence/${evidenceId}/versions`, { as: 'factory1', body: { notes: 'renewed', file: declaredFile(bytes) } });
    expect(added.status).toBe(201);
    expect(added.body.version).toBe(2);
    expect(keyOf(added.body.uploadUrl)).toMatch(KEY);
    expect(keyOf(added.body.uploadUrl)).toContain(`/${evidenceId}/v2/`);
    expect(await fileStatus(evidenceId, 2)).toBe('PENDING_UPLOAD');
    expect((await putToUploadUrl(added.body.uploadUrl, bytes)).status).toBe(200);
    await store.events.idle();
    expect(await fileStatus(evidenceId, 2)).toBe('AVAILABLE');
  });

  it('the store refuses, with S3\'s error codes, a body, size, checksum or content type other than signed, and a second write', async () => {
    const bytes = pdf('the declared bytes');
    const { evidenceId, uploadUrl } = await evidenceWithFile(bytes);
    const refusal = async (response: Response) => ({ status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1] });
    const sameLength = Buffer.from(bytes.toString().replace('declared', 'DECLARED'));
    expect(await refusal(await putToUploadUrl(uploadUrl, sameLength, 'application/pdf', { 'x-amz-checksum-sha256': sha256Of(bytes).toString('base64') }))).toEqual({ status: 400, code: 'BadDigest' });
    expect(await refusal(await putToUploadUrl(uploadUrl, Buffer.concat([bytes, Buffer.from('!')])))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refusal(await putToUploadUrl(uploadUrl, bytes, 'text/html'))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refusal(await putToUploadUrl(uploadUrl, sameLength))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refusal(await putToUploadUrl(uploadUrl, bytes, 'application/pdf', { 'x-amz-checksum-sha256': 'not base64 of 32 bytes' }))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    // Around the URL, as the bucket policy answers: no checksum header, or no If-None-Match.
    const key = keyOf(uploadUrl);
    const direct = (extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>) => store.client.send(new PutObjectCommand({ Bucket: EVIDENCE_BUCKET, Key: key, Body: bytes, ...extra })).then(() => 200, (e: { name: string; $metadata: { httpStatusCode: number } }) => ({ status: e.$metadata.httpStatusCode, code: e.name }));
    expect(await direct({ IfNoneMatch: '*' })).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await direct({ ChecksumSHA256: sha256Of(bytes).toString('base64') })).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await direct({ ChecksumSHA256: sha256Of(sameLength).toString('base64'), IfNoneMatch: '*' })).toEqual({ status: 400, code: 'BadDigest' });
    await store.events.idle();
    expect(await fileStatus(evidenceId)).toBe('PENDING_UPLOAD');

    expect((await putToUploadUrl(uploadUrl, bytes)).status).toBe(200);
    expect(await refusal(await putToUploadUrl(uploadUrl, bytes))).toEqual({ status: 412, code: 'PreconditionFailed' });
  });

  it('an object written around the presigned URL with other bytes is REJECTED, tagged for expiry, never served, and cannot fulfil', async () => {
    const declared = pdf('what the factory declared');
    const { evidenceId, uploadUrl } = await evidenceWithFile(declared);
    const other = pdf('something else entirely, longer than declared');
    const key = keyOf(uploadUrl);
    await store.client.send(new PutObjectCommand({ Bucket: EVIDENCE_BUCKET, Key: key, Body: other, ChecksumSHA256: sha256Of(other).toString('base64'), IfNoneMatch: '*' }));
    await store.events.idle();
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    const tags = await store.client.send(new GetObjectTaggingCommand({ Bucket: EVIDENCE_BUCKET, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'evidence-file-status', Value: 'REJECTED' }]);
    const rejected = (await api.auditEvents()).filter((e) => e.action === 'evidence.file.verify' && e.resource.id === evidenceId);
    expect(rejected).toMatchObject([{ outcome: 'FAILED', reason: 'size-mismatch', changes: { version: 1, status: { from: 'PENDING_UPLOAD', to: 'REJECTED' } } }]);

    for (const user of ['factory1', 'auditor1'] as const) {
      const download = await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: user });
      expect(download.status).toBe(409);
      expect(download.body.downloadUrl).toBeUndefined();
    }
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1' })).status).toBe(409);
    const fulfil = await shareWithBuyer1(evidenceId);
    expect(fulfil.status).toBe(400);
    expect(fulfil.body.errors).toEqual([{ path: '/version', message: 'the file of version 1 is REJECTED, not AVAILABLE' }]);
  });

  it('the verifier is idempotent: a redelivered event changes nothing and records nothing', async () => {
    const { evidenceId, uploadUrl } = await uploaded(pdf('delivered twice'));
    const before = (await api.auditEvents()).filter((e) => e.resource.id === evidenceId).length;
    const again = await verify(objectCreatedEvent({ bucket: EVIDENCE_BUCKET, key: keyOf(uploadUrl), size: 1, etag: 'x' }));
    expect(again.result).toEqual({ outcome: 'already', status: 'AVAILABLE' });
    expect((await api.auditEvents()).filter((e) => e.resource.id === evidenceId)).toHaveLength(before);
    expect(await fileStatus(evidenceId)).toBe('AVAILABLE');
  });

  it('a same-size object with other bytes written around the URL is REJECTED for its SHA-256', async () => {
    const declared = pdf('declared: 0123456789');
    const { evidenceId, uploadUrl } = await evidenceWithFile(declared);
    const forged = pdf('declared: 9876543210');
    expect(forged.length).toBe(declared.length);
    await store.client.send(new PutObjectCommand({ Bucket: EVIDENCE_BUCKET, Key: keyOf(uploadUrl), Body: forged, ChecksumSHA256: sha256Of(forged).toString('base64'), IfNoneMatch: '*' }));
    await store.events.idle();
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    const [event] = (await api.auditEvents()).filter((e) => e.action === 'evidence.file.verify' && e.resource.id === evidenceId);
    expect(event).toMatchObject({ outcome: 'FAILED', reason: 'sha256-mismatch', changes: { sha256: sha256Of(forged).toString('hex') } });
  });

  it('GuardDuty THREATS_FOUND makes even an AVAILABLE file REJECTED and tags it; other scan results change nothing', async () => {
    const { evidenceId, uploadUrl } = await uploaded(pdf('looks fine, is not'));
    const key = keyOf(uploadUrl);
    const scanResult = (status: string) => ({
      version: '0',
      id: `scan-${status}-${evidenceId}`,
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
      source: 'aws.guardduty',
      detail: { schemaVersion: '1.0', s3ObjectDetails: { bucketName: EVIDENCE_BUCKET, objectKey: key, eTag: 'e', versionId: 'null' }, scanStatus: 'COMPLETED', scanResultDetails: { scanResultStatus: status, threats: null } },
    });
    expect((await verify(scanResult('NO_THREATS_FOUND'))).result).toEqual({ outcome: 'ignored', why: 'scan result NO_THREATS_FOUND' });
    expect(await fileStatus(evidenceId)).toBe('AVAILABLE');
    expect((await verify(scanResult('THREATS_FOUND'))).result).toEqual({ outcome: 'marked', verdict: { status: 'REJECTED', reason: 'malware' } });
    expect(await fileStatus(evidenceId)).toBe('REJECTED');
    const tags = await store.client.send(new GetObjectTaggingCommand({ Bucket: EVIDENCE_BUCKET, Key: key }));
    expect(tags.TagSet).toContainEqual({ Key: 'evidence-file-status', Value: 'REJECTED' });
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: 'factory1' })).status).toBe(409);
    // Redelivered: still one malware event.
    await verify(scanResult('THREATS_FOUND'));
    const malware = (await api.auditEvents()).filter((e) => e.action === 'evidence.file.verify' && e.resource.id === evidenceId && e.reason === 'malware');
    expect(malware).toMatchObject([{ outcome: 'FAILED', changes: { version: 1, status: { from: 'AVAILABLE', to: 'REJECTED' } } }]);
  });

  it('refuses an event of any other shape loudly, so it lands in the failure queue', async () => {
    await expect(verify({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: {} })).rejects.toThrow(/not an S3 Object Created or GuardDuty scan result event/);
  });

  it('tags an object under a key the server never handed out as REJECTED (stray)', async () => {
    const key = 'evidence/F001/evd_NOSUCHEVIDENCE0000000000000/v1/fil_aaaaaaaaaaaaaaaaaaaaaaaaaa';
    const bytes = pdf('stray');
    await store.client.send(new PutObjectCommand({ Bucket: EVIDENCE_BUCKET, Key: key, Body: bytes, ChecksumSHA256: sha256Of(bytes).toString('base64'), IfNoneMatch: '*' }));
    await store.events.idle();
    const tags = await store.client.send(new GetObjectTaggingCommand({ Bucket: EVIDENCE_BUCKET, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'evidence-file-status', Value: 'REJECTED' }]);
  });

  it('refuses hostile file names and content types with 400 naming the field', async () => {
    const bytes = pdf('x');
    const hostile: [string, unknown][] = [
      ['fileName', '../../../F002/evd_x/v2/cert.pdf'],
      ['fileName', 'a\r\nX-Injected: 1.pdf'],
      ['fileName', 'nul\u0000.pdf'],
      ['fileName', '\u202Efdp.exe'],
      ['fileName', '.'],
      ['fileName', '..'],
      ['fileName', 'back\\slash.pdf'],
      ['fileName', ''],
      ['fileName', 'x'.repeat(256)],
      ['fileName', 'lone \ud800 surrogate.pdf'],
      ['contentType', 'text/html\r\nX-Injected: 1'],
      ['contentType', 'text/html'],
      ['size', 0],
      ['size', 100 * 1024 ** 2 + 1],
      ['sha256', 'A'.repeat(64)],
    ];
    for (const [field, value] of hostile) {
      const file = { ...declaredFile(bytes), [field]: value };
      const answer = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'hostile', docType: 'test-report', file } });
      expect.soft(answer.status, `${field} ${JSON.stringify(value)}`).toBe(400);
      expect.soft(answer.body.errors?.map((e: { path: string }) => e.path), `${field} ${JSON.stringify(value)}`).toContain(`/file/${field}`);
    }
  });
});

describe('upload-url', () => {
  it('re-issues a PUT for the same key while PENDING_UPLOAD (owning factory only), 409 once verified or without a file', async () => {
    const bytes = pdf('re-issued');
    const { evidenceId, uploadUrl } = await evidenceWithFile(bytes);
    const reissued = await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1' });
    expect(reissued.status).toBe(200);
    expect(keyOf(reissued.body.uploadUrl)).toBe(keyOf(uploadUrl));
    expect(Date.parse(reissued.body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(reissued.body.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const [event] = await eventsOf(reissued.requestId);
    expect(event).toMatchObject({ action: 'evidence.file.upload-url', outcome: 'SUCCESS', resource: { type: 'evidence', id: evidenceId }, changes: { version: 1 } });

    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory2' })).status).toBe(404);
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'buyer1' })).status).toBe(403);
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/7/upload-url`, { as: 'factory1' })).status).toBe(404);
    for (const bad of ['0', '01', 'one', '1.5']) expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/${bad}/upload-url`, { as: 'factory1' })).status).toBe(400);
    // It takes no body: `{}` is fine, anything else is 400 (found by the fuzz suite as a 500).
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1', body: {} })).status).toBe(200);
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1', rawBody: '=B' })).status).toBe(400);
    expect((await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1', body: { version: 2 } })).status).toBe(400);

    expect((await putToUploadUrl(reissued.body.uploadUrl, bytes)).status).toBe(200);
    await store.events.idle();
    const late = await api.call('POST', `/v1/evidence/${evidenceId}/versions/1/upload-url`, { as: 'factory1' });
    expect(late.status).toBe(409);
    const plain = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'no file', docType: 'test-report' } });
    expect((await api.call('POST', `/v1/evidence/${plain.body.evidenceId}/versions/1/upload-url`, { as: 'factory1' })).status).toBe(409);
  });
});

describe('download', () => {
  it('answers the owner, a buyer it was shared with, auditors and admins; another buyer or factory 404 like unknown', async () => {
    const bytes = pdf('shared with buyer1');
    const { evidenceId } = await uploaded(bytes);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: 'buyer1' })).status).toBe(404);
    expect((await shareWithBuyer1(evidenceId)).status).toBe(200);
    for (const user of ['factory1', 'buyer1', 'auditor1', 'admin1'] as const) {
      const answer = await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: user });
      expect(answer.status, user).toBe(200);
      expect(answer.body).toMatchObject({ fileName: 'report.pdf', contentType: 'application/pdf', size: bytes.length, sha256: sha256Of(bytes).toString('hex') });
      expect(Date.parse(answer.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
      expect(new URL(answer.body.downloadUrl).searchParams.get('X-Amz-Expires')).toBe('300');
      const fetched = await fetch(answer.body.downloadUrl);
      expect(fetched.headers.get('content-disposition')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
      expect(sha256Of(Buffer.from(await fetched.arrayBuffer()))).toEqual(sha256Of(bytes));
      const [event] = await eventsOf(answer.requestId);
      expect(event).toMatchObject({ action: 'evidence.file.download', outcome: 'SUCCESS', resource: { type: 'evidence', id: evidenceId }, changes: { version: 1 } });
    }
    for (const user of ['buyer2', 'factory2'] as const) {
      const hidden = await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: user });
      const unknown = await api.call('GET', `/v1/evidence/evd_NOSUCHEVIDENCE0000000000000/versions/1/file`, { as: user });
      expect(hidden.status, user).toBe(404);
      expect({ ...hidden.body, correlationId: undefined, detail: undefined }).toEqual({ ...unknown.body, correlationId: undefined, detail: undefined });
      expect(hidden.body.detail).toBe(unknown.body.detail);
      expect((await eventsOf(hidden.requestId))[0]).toMatchObject({ action: 'evidence.file.download', outcome: 'DENIED', statusCode: 404, changes: { version: 1 } });
    }
  });

  it('shares with a buyer only the version fulfilled to it', async () => {
    const { evidenceId } = await uploaded(pdf('v1 shared'));
    const v2 = pdf('v2 not shared');
    const added = await api.call('POST', `/v1/evidence/${evidenceId}/versions`, { as: 'factory1', body: { file: declaredFile(v2) } });
    expect((await putToUploadUrl(added.body.uploadUrl, v2)).status).toBe(200);
    await store.events.idle();
    expect((await shareWithBuyer1(evidenceId, 1)).status).toBe(200);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: 'buyer1' })).status).toBe(200);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/2/file`, { as: 'buyer1' })).status).toBe(404);
  });

  it('answers 409 while the file is PENDING_UPLOAD and 404 for a version without a file', async () => {
    const { evidenceId } = await evidenceWithFile(pdf('never uploaded'));
    expect((await api.call('GET', `/v1/evidence/${evidenceId}/versions/1/file`, { as: 'factory1' })).status).toBe(409);
    const plain = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'no file', docType: 'test-report' } });
    expect((await api.call('GET', `/v1/evidence/${plain.body.evidenceId}/versions/1/file`, { as: 'factory1' })).status).toBe(404);
  });
});

describe('presigned URLs', () => {
  it('expire: a download URL after 5 minutes, an upload URL after 15, as the store checks them', async () => {
    const bytes = pdf('expiring');
    const { uploadUrl } = await uploaded(bytes);
    const key = keyOf(uploadUrl);
    const signedAgo = (ms: number) => store.fileUrls(() => new Date(Date.now() - ms));
    const fresh = await signedAgo(4 * 60_000).download(key, { fileName: 'a.pdf', contentType: 'application/pdf' });
    expect((await fetch(fresh.url)).status).toBe(200);
    const stale = await signedAgo(5 * 60_000 + 2_000).download(key, { fileName: 'a.pdf', contentType: 'application/pdf' });
    const refused = await fetch(stale.url);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Message>Request has expired</Message>');

    const other = pdf('an upload too late');
    const { uploadUrl: laterUrl } = await evidenceWithFile(other);
    const late = await signedAgo(15 * 60_000 + 2_000).upload(keyOf(laterUrl), declaredFile(other));
    const lateAnswer = await putToUploadUrl(late.url, other);
    expect(lateAnswer.status).toBe(403);
    expect(await lateAnswer.text()).toContain('Request has expired');
  });
});

describe('fulfilment', () => {
  it('refuses a version whose file is PENDING_UPLOAD (400 on /version) and fulfils with a version without any file as before', async () => {
    const { evidenceId } = await evidenceWithFile(pdf('pending'));
    const pending = await shareWithBuyer1(evidenceId);
    expect(pending.status).toBe(400);
    expect(pending.body.errors).toEqual([{ path: '/version', message: 'the file of version 1 is PENDING_UPLOAD, not AVAILABLE' }]);
    const plain = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'paper only', docType: 'test-report' } });
    expect((await shareWithBuyer1(plain.body.evidenceId)).status).toBe(200);
  });
});
