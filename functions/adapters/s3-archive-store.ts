/** The archive bucket on S3 (or the local S3-compatible store): write-once puts with explicit checksums. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ArchiveObject, ArchiveReader, ArchiveWriter, ListedObject } from '../archive/ports.js';
import { SDK_POLICY, type LocalCredentials } from './sdk-policy.js';

export interface ArchiveS3ClientOptions {
  /** A local S3-compatible endpoint; AWS when omitted. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** The local store's credentials. @default the local store's fixed pair */
  readonly credentials?: LocalCredentials | undefined;
}

/** An S3 client with the one SDK policy; path-style and plain checksums for a local endpoint. */
export function createArchiveS3Client(options: ArchiveS3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {
    ...SDK_POLICY,
    ...(options.region ? { region: options.region } : {}),
  };
  if (options.endpoint) {
    Object.assign(config, {
      endpoint: options.endpoint,
      forcePathStyle: true,
      region: options.region ?? 'eu-west-1',
      // The local store is not AWS: it needs no real credentials, and it stores aws-chunked
      // framing verbatim unless checksums are only sent when we set them (TOOLCHAIN.md).
      credentials: options.credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    } satisfies Partial<S3ClientConfig>);
  }
  return new S3Client(config);
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export class S3ArchiveStore implements ArchiveWriter, ArchiveReader {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Every PUT names its checksum explicitly: the bucket has Object Lock default retention,
   * and S3 refuses lock-protected PUTs without Content-MD5 or an x-amz-checksum-* header.
   * `If-None-Match: *` makes the put write-once: a redelivered batch gets 412 instead of a
   * second version. https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
   */
  async putObject(object: ArchiveObject): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
          ContentLength: object.body.length,
          ContentMD5: object.md5,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: hexToBase64(object.sha256),
          IfNoneMatch: '*',
          Metadata: object.metadata,
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return 'exists';
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return undefined;
      throw error;
    }
  }
}
