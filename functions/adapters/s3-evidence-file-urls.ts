/**
 * Presigned addresses of evidence files. A PUT binds content type, length, SHA-256 checksum
 * and `If-None-Match: *` into its signature, so S3 refuses any other body or a second write;
 * a GET names the download with an encoded Content-Disposition and lives 5 minutes at most.
 */
import { attachmentDisposition, DOWNLOAD_URL_TTL_SECONDS, UPLOAD_URL_TTL_SECONDS } from '../core/evidence-files.js';
import type { EvidenceFileUrls, PresignedUrl } from '../core/ports.js';
import type { FileInfo } from '../schemas/evidence.js';
import type { ObjectUrlRequest, S3UrlSigner } from './s3-url-signer.js';

export interface S3EvidenceFileUrlsOptions {
  readonly sign: S3UrlSigner;
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
    // Signed headers the client must send as they are: S3 checks the body against the
    // checksum header and refuses a second object under the key.
    return this.sign('PUT', key, UPLOAD_URL_TTL_SECONDS, {
      headers: {
        'content-type': file.contentType,
        'content-length': String(file.size),
        'if-none-match': '*',
        'x-amz-checksum-sha256': Buffer.from(file.sha256, 'hex').toString('base64'),
      },
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
  }

  async download(key: string, file: Pick<FileInfo, 'fileName' | 'contentType'>): Promise<PresignedUrl> {
    return this.sign('GET', key, DOWNLOAD_URL_TTL_SECONDS, {
      query: { 'response-content-disposition': attachmentDisposition(file.fileName), 'response-content-type': file.contentType },
    });
  }

  private async sign(
    method: ObjectUrlRequest['method'],
    key: string,
    expiresIn: number,
    parts: Pick<ObjectUrlRequest, 'headers' | 'unhoistableHeaders' | 'query'>,
  ): Promise<PresignedUrl> {
    const signingDate = this.now();
    const url = await this.options.sign({ method, bucket: this.bucket(), key, expiresIn, signingDate, ...parts });
    // SigV4 dates have whole seconds: the URL stops working expiresIn seconds after that.
    const signedAt = Math.floor(signingDate.getTime() / 1000) * 1000;
    return { url, expiresAt: new Date(signedAt + expiresIn * 1000) };
  }
}
