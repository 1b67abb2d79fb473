/** Presigned PUT addresses for evidence files, bound to the declared size and SHA-256. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileUploads } from '../core/ports.js';

const UPLOAD_URL_TTL_SECONDS = 15 * 60;

export class S3PresignedUploads implements FileUploads {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string | undefined,
  ) {}

  async uploadUrl(key: string, file: { contentType: string; size: number; sha256: string }): Promise<string> {
    if (!this.bucket) throw new Error('No evidence bucket is configured for file uploads');
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentType: file.contentType,
      ContentLength: file.size,
      ChecksumSHA256: Buffer.from(file.sha256, 'hex').toString('base64'),
    });
    // The client must send exactly these signed headers, and S3 checks the body against the
    // checksum header: any other size or content is refused.
    return getSignedUrl(this.s3, command, {
      expiresIn: UPLOAD_URL_TTL_SECONDS,
      signableHeaders: new Set(['content-type', 'content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
  }
}
