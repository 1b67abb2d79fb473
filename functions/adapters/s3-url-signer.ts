/**
 * Presigned S3 URLs from the SDK's own SigV4 signer (@smithy/signature-v4), without the S3
 * client. The evidence function signs URLs but never calls S3, and the S3 client with its
 * presigner is a fifth of that function's bundle and of its cold start. The URLs are the
 * ones @aws-sdk/s3-request-presigner makes for the same command: the unit test
 * test/unit/s3-url-signer.test.ts compares the two byte for byte.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { formatUrl } from '@aws-sdk/core/util';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

export interface S3UrlSignerOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A path-style endpoint (the local S3 store); unset: the bucket's virtual-hosted AWS address. */
  readonly endpoint?: string;
}

export interface ObjectUrlRequest {
  readonly method: 'GET' | 'PUT';
  readonly bucket: string;
  readonly key: string;
  /** Headers the client must send as they are; all are signed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers that stay headers (not hoisted into the query string). */
  readonly unhoistableHeaders?: ReadonlySet<string>;
  readonly query?: Readonly<Record<string, string>>;
  readonly expiresIn: number;
  readonly signingDate: Date;
}

export type S3UrlSigner = (request: ObjectUrlRequest) => Promise<string>;

/**
 * What the SDK adds to every URL of each method, kept so the URLs stay the SDK's: the
 * operation's name, and for a GET the request to return the stored checksums.
 */
const SDK_QUERY = { GET: { 'x-amz-checksum-mode': 'ENABLED', 'x-id': 'GetObject' }, PUT: { 'x-id': 'PutObject' } } as const;

export function createS3UrlSigner(options: S3UrlSignerOptions): S3UrlSigner {
  const signer = new SignatureV4({
    service: 's3',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    // S3 signs the path as sent: no second URI encoding, no payload checksum (UNSIGNED-PAYLOAD).
    uriEscapePath: false,
    applyChecksum: false,
  });
  const endpoint = options.endpoint ? new URL(options.endpoint) : undefined;

  return async (request) => {
    const path = `/${request.key.split('/').map(encodeSegment).join('/')}`;
    const hostname = endpoint ? endpoint.hostname : `${request.bucket}.s3.${options.region}.amazonaws.com`;
    const port = endpoint?.port ? Number(endpoint.port) : undefined;
    const headers = { ...request.headers };
    const toSign = new HttpRequest({
      method: request.method,
      protocol: endpoint ? endpoint.protocol : 'https:',
      hostname,
      ...(port !== undefined && { port }),
      path: endpoint ? `/${request.bucket}${path}` : path,
      query: { ...request.query, ...SDK_QUERY[request.method] },
      headers: { ...headers, host: port === undefined ? hostname : `${hostname}:${port}`, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    });
    const presigned = await signer.presign(toSign, {
      expiresIn: request.expiresIn,
      signingDate: request.signingDate,
      signableHeaders: new Set(Object.keys(headers).map((name) => name.toLowerCase())),
      unhoistableHeaders: new Set(request.unhoistableHeaders),
    });
    return formatUrl(presigned);
  };
}

/** RFC 3986 encoding of one key segment, as the SDK encodes `{Key+}`. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape the signer takes. */
class Sha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: Uint8Array | string): void {
    this.hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
}

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
