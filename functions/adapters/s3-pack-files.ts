/**
 * The packs bucket and the evidence objects the pack builder reads: presigned GETs of a pack's
 * ZIP (as an attachment), the ZIP streamed up with a multipart upload (constant memory: a few
 * parts in flight, whatever the pack's size), and evidence objects opened as streams.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { attachmentDisposition } from '../core/evidence-files.js';
import type { EvidenceObjectReader, PackFileUrls, PackObjectWriter, PresignedUrl } from '../core/ports.js';
import type { S3UrlSigner } from './s3-url-signer.js';

function required(bucket: string | undefined, what: string): string {
  if (!bucket) throw new Error(`No ${what} is configured`);
  return bucket;
}

export class S3PackFileUrls implements PackFileUrls {
  constructor(private readonly options: { readonly sign: S3UrlSigner; readonly bucket: string | undefined; readonly now?: () => Date }) {}

  async download(key: string, fileName: string, ttlSeconds: number): Promise<PresignedUrl> {
    const signingDate = (this.options.now ?? (() => new Date()))();
    const url = await this.options.sign({
      method: 'GET',
      bucket: required(this.options.bucket, 'packs bucket (PACKS_BUCKET)'),
      key,
      expiresIn: ttlSeconds,
      signingDate,
      query: { 'response-content-disposition': attachmentDisposition(fileName), 'response-content-type': 'application/zip' },
    });
    // SigV4 dates have whole seconds: the URL stops working ttlSeconds after that.
    return { url, expiresAt: new Date(Math.floor(signingDate.getTime() / 1000) * 1000 + ttlSeconds * 1000) };
  }
}

/** 8 MiB parts, two in flight: the builder holds ~16-24 MiB of the ZIP at a time, for any size (10,000 parts = 80 GB). */
export const PACK_PART_SIZE = 8 * 1024 ** 2;
export const PACK_UPLOAD_QUEUE = 2;

export class S3PackObjectWriter implements PackObjectWriter {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string | undefined,
  ) {}

  async put(key: string, body: NodeJS.ReadableStream): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: required(this.bucket, 'packs bucket (PACKS_BUCKET)'), Key: key, Body: body as Readable, ContentType: 'application/zip' },
      partSize: PACK_PART_SIZE,
      queueSize: PACK_UPLOAD_QUEUE,
      // A failed build's parts are left to the bucket's lifecycle (abort-incomplete-pack-uploads,
      // 1 day), as a crashed one's are: the build's own error is what the caller must see, not
      // a failed abort's.
      leavePartsOnError: true,
    });
    await upload.done();
  }
}

export class S3EvidenceObjectReader implements EvidenceObjectReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string | undefined,
  ) {}

  async open(key: string): Promise<NodeJS.ReadableStream> {
    const answer = await this.s3.send(new GetObjectCommand({ Bucket: required(this.bucket, 'evidence bucket (EVIDENCE_BUCKET)'), Key: key }));
    if (!answer.Body) throw new Error(`The evidence object ${key} has no body`);
    return answer.Body as Readable;
  }
}
