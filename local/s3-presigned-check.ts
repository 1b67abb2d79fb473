/**
 * SigV4 query-string (presigned URL) verification, as S3 does it, for the local S3 store:
 * s3rver accepts any V4 signature, so without this a local client could send another
 * content type, length or checksum than the URL signed and never learn it would fail on S3.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface S3ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface PresignedRequest {
  readonly method: string;
  /** The request target as sent (path and query, still percent-encoded). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4's UriEncode). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

function headerValue(headers: PresignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20261201T101500Z` -> epoch milliseconds, or NaN. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

const denied = (message: string): S3ErrorAnswer => ({ status: 403, code: 'AccessDenied', message });

/** True when the request carries SigV4 query authentication. */
export function isPresigned(url: string): boolean {
  return new URL(url, 'http://localhost').searchParams.has('X-Amz-Algorithm');
}

/** Undefined when the signature is valid and current; else the error S3 answers. */
export function checkPresigned(request: PresignedRequest, credentials: { accessKeyId: string; secretAccessKey: string }, now: Date): S3ErrorAnswer | undefined {
  const target = new URL(request.url, 'http://localhost');
  const query = target.searchParams;
  const [algorithm, credential, date, expires, signedHeaders, signature] = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].map((name) => query.get(name));
  if (algorithm !== 'AWS4-HMAC-SHA256' || !credential || !date || !expires || !signedHeaders || !signature) {
    return { status: 400, code: 'AuthorizationQueryParametersError', message: 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.' };
  }
  const [accessKeyId, scopeDate, region, service, terminator] = credential.split('/');
  if (accessKeyId !== credentials.accessKeyId) return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const signedAt = parseAmzDate(date);
  const lifetime = Number(expires);
  if (!Number.isFinite(signedAt) || !/^\d+$/.test(expires) || lifetime > 604_800 || !scopeDate || !region || !service || terminator !== 'aws4_request') {
    return { status: 400, code: 'AuthorizationQueryParametersError', message: 'X-Amz-Date, X-Amz-Expires or X-Amz-Credential is malformed' };
  }
  if (now.getTime() > signedAt + lifetime * 1000) return denied('Request has expired');
  if (now.getTime() + 15 * 60_000 < signedAt) return denied('Request is not valid yet');

  const names = signedHeaders.split(';');
  if (!names.includes('host')) return denied('Host must be a signed header');
  const canonicalHeaders = names.map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalQuery = [...query.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalPath = target.pathname.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/');
  const payloadHash = query.get('X-Amz-Content-Sha256') ?? headerValue(request.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonicalRequest = [request.method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, scopeDate), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return undefined;
}
