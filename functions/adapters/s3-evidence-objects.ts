/** The evidence bucket's objects, for the file verifier: stream-hash an object, tag one REJECTED. */
import { GetObjectCommand, GetObjectTaggingCommand, NoSuchKey, PutObjectTaggingCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { REJECTED_TAG, type MeasuredObject } from '../core/evidence-files.js';
import type { EvidenceObjects } from '../core/ports.js';

const isMissing = (error: unknown) => error instanceof NoSuchKey || (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404));

export class S3EvidenceObjects implements EvidenceObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async measure(key: string): Promise<MeasuredObject | undefined> {
    let body: Readable;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // Streamed, never held whole: a file may be 100 MiB and the function has far less to spare.
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async tagRejected(key: string): Promise<void> {
    try {
      // PutObjectTagging replaces the whole set: keep the tags already there (GuardDuty's scan status).
      const current = await this.s3.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key }));
      const others = (current.TagSet ?? []).filter((tag) => tag.Key !== REJECTED_TAG.key);
      await this.s3.send(
        new PutObjectTaggingCommand({ Bucket: this.bucket, Key: key, Tagging: { TagSet: [...others, { Key: REJECTED_TAG.key, Value: REJECTED_TAG.value }] } }),
      );
    } catch (error) {
      if (isMissing(error)) return; // nothing left to serve or expire
      throw error;
    }
  }
}
