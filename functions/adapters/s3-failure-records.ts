/**
 * The archiver's on-failure bucket: failure records under `aws/lambda/...` (written by
 * Lambda in AWS, by the stream poller locally) and, beside each re-driven one, a marker
 * under `redriven/` so `archive:redrive --all` replays each record once.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { type StreamFailureRecord } from '../archive/failure-record.js';
import { S3ArchiveStore } from './s3-archive-store.js';

export const FAILURE_RECORD_PREFIX = 'aws/lambda/';
export const REDRIVEN_PREFIX = 'redriven/';

function jsonObject(key: string, value: unknown) {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return {
    key,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    md5: createHash('md5').update(body).digest('base64'),
    contentType: 'application/json',
  };
}

export class S3FailureRecords {
  private readonly store: S3ArchiveStore;

  constructor(client: S3Client, readonly bucket: string) {
    this.store = new S3ArchiveStore(client, bucket);
  }

  async put(key: string, record: StreamFailureRecord): Promise<void> {
    await this.store.putObject(jsonObject(key, record));
  }

  /** Keys of every failure record, oldest first (keys sort by shard, then time). */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const listed of this.store.list(FAILURE_RECORD_PREFIX)) keys.push(listed.key);
    return keys.sort();
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.store.get(key);
  }

  async isRedriven(key: string): Promise<boolean> {
    return (await this.store.get(`${REDRIVEN_PREFIX}${key}`)) !== undefined;
  }

  async markRedriven(key: string, details: { at: string; records: number; invocations: number }): Promise<void> {
    await this.store.putObject(jsonObject(`${REDRIVEN_PREFIX}${key}`, details));
  }
}
