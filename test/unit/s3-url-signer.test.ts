/**
 * The evidence function presigns S3 URLs without the S3 client (functions/adapters/
 * s3-url-signer.ts). Its URLs must be exactly the ones the SDK's presigner makes for the same
 * command, clock and credentials: in AWS (virtual-hosted, session token) and against the
 * local store (path-style), for the upload PUT and the attachment GET.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { S3EvidenceFileUrls } from '../../functions/adapters/s3-evidence-file-urls.js';
import { createS3UrlSigner } from '../../functions/adapters/s3-url-signer.js';
import { attachmentDisposition } from '../../functions/core/evidence-files.js';

const SIGNING_DATE = new Date('2026-11-30T10:11:12.345Z');
const KEY = 'evidence/org_factory-1/evd_01JABCDEFGHJKMNPQRSTVWXYZ0/v3/fil_0123456789abcdef';
const FILE = {
  fileName: 'Audit report (final) 2026 – ÄÖÜ.pdf',
  contentType: 'application/pdf',
  size: 123_456,
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
} as const;

const SETTINGS = [
  {
    name: 'AWS (virtual-hosted, role credentials with a session token)',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'ASIAEXAMPLEKEY', secretAccessKey: 'secret/with+chars', sessionToken: 'session-token/+=' },
    endpoint: undefined,
  },
  {
    name: 'the local store (path-style endpoint)',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    endpoint: 'http://127.0.0.1:45123',
  },
] as const;

describe.each(SETTINGS)('presigned URLs for $name', ({ region, credentials, endpoint }) => {
  const client = new S3Client({ region, credentials, ...(endpoint && { endpoint, forcePathStyle: true }) });
  const urls = new S3EvidenceFileUrls({
    sign: createS3UrlSigner({ region, credentials, ...(endpoint && { endpoint }) }),
    bucket: 'evidence-bucket-1',
    now: () => SIGNING_DATE,
  });

  it('the upload PUT is the SDK presigner\'s, byte for byte', async () => {
    const command = new PutObjectCommand({
      Bucket: 'evidence-bucket-1',
      Key: KEY,
      ContentType: FILE.contentType,
      ContentLength: FILE.size,
      ChecksumSHA256: Buffer.from(FILE.sha256, 'hex').toString('base64'),
      IfNoneMatch: '*',
    });
    const expected = await getSignedUrl(client, command, {
      expiresIn: 900,
      signingDate: SIGNING_DATE,
      signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
    const { url } = await urls.upload(KEY, FILE);
    expect(url).toBe(expected);
  });

  it('the attachment GET is the SDK presigner\'s, byte for byte', async () => {
    const command = new GetObjectCommand({
      Bucket: 'evidence-bucket-1',
      Key: KEY,
      ResponseContentDisposition: attachmentDisposition(FILE.fileName),
      ResponseContentType: FILE.contentType,
    });
    const expected = await getSignedUrl(client, command, { expiresIn: 300, signingDate: SIGNING_DATE });
    const { url, expiresAt } = await urls.download(KEY, FILE);
    expect(url).toBe(expected);
    expect(expiresAt.toISOString()).toBe('2026-11-30T10:16:12.000Z');
  });
});

describe('key encoding', () => {
  it('encodes every segment of an unusual key as the SDK does, keeping the slashes', async () => {
    const key = "odd/with space/ünïcödé/!'()*/a+b=c&d";
    const region = 'eu-west-1';
    const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
    const client = new S3Client({ region, credentials });
    const expected = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'b-1', Key: key }), { expiresIn: 60, signingDate: SIGNING_DATE });
    const actual = await createS3UrlSigner({ region, credentials })({ method: 'GET', bucket: 'b-1', key, expiresIn: 60, signingDate: SIGNING_DATE });
    expect(actual).toBe(expected);
  });
});
