/**
 * Presigned addresses of evidence files. A PUT binds content type, length, SHA-256 checksum
 * and `If-None-Match: *` into its signature, so S3 refuses any other body or a second write;
 * a GET names the download with an encoded Content-Disposition and lives 5 minutes at most.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition, DOWNLOAD_URL_TTL_SECONDS, UPLOAD_URL_TTL_SECONDS } from '../core/evidence-files.js';
import type { EvidenceFileUrls, PresignedUrl } from '../core/ports.js';
import type { FileInfo } from '../schemas/evidence.js';

export interface S3EvidenceFileUrlsOptions {
  readonly s3: S3Client;
  readonly bucket: string | undefined;
  /** The signing clock (tests move it to prove the URLs expire). @default the system clock */
  readonly now?: () => Date;
}

export class S3EvidenceFileUrls implements EvidenceFileUrls {
  private readonly now: () => Date;

  constructor(private readonly options: S3EvidenceFileUrlsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private bucket(): string {
    if (!this.options.bucket) throw new Error('No evidence bucket is configured (EVIDENCE_BUCKET) for evidence files');
    return this.options.bucket;
  }

  async upload(key: string, file: Pick<FileInfo, 'contentType' | 'size' | 'sha256'>): Promise<PresignedUrl> {
    const command = new PutObjectCommand({
      Bucket: this.bucket(),
      Key: key,
      ContentType: file.contentType,
      ContentLength: file.size,
      ChecksumSHA256: Buffer.from(file.sha256, 'hex').toString('base64'),
      IfNoneMatch: '*',
    });
    // Signed headers the client must send as they are: S3 checks the body against the
    // checksum header and refuses a second object under the key.
    return this.sign(command, UPLOAD_URL_TTL_SECONDS, {
      signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
  }

  async download(key: string, file: Pick<FileInfo, 'fileName' | 'contentType'>): Promise<PresignedUrl> {
    const command = new GetObjectCommand({
      Bucket: this.bucket(),
      Key: key,
      ResponseContentDisposition: attachmentDisposition(file.fileName),
      ResponseContentType: file.contentType,
    });
    return this.sign(command, DOWNLOAD_URL_TTL_SECONDS, {});
  }

  private async sign(
    command: PutObjectCommand | GetObjectCommand,
    expiresIn: number,
    headers: { signableHeaders?: Set<string>; unhoistableHeaders?: Set<string> },
  ): Promise<PresignedUrl> {
    const signingDate = this.now();
    const url = await getSignedUrl(this.options.s3, command, { expiresIn, signingDate, ...headers });
    // SigV4 dates have whole seconds: the URL stops working expiresIn seconds after that.
    const signedAt = Math.floor(signingDate.getTime() / 1000) * 1000;
    return { url, expiresAt: new Date(signedAt + expiresIn * 1000) };
  }
}
