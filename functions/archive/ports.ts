/** What the archive use cases need from storage and signing. Adapters implement these. */
import { ConflictError } from '../core/errors.js';

export interface ArchiveObject {
  readonly key: string;
  readonly body: Uint8Array;
  /** Lowercase hex SHA-256 of the body. */
  readonly sha256: string;
  /** Base64 MD5 of the body (Content-MD5). */
  readonly md5: string;
  readonly contentType: string;
  readonly metadata?: Record<string, string>;
}

/** Write-once object storage. */
export interface ArchiveWriter {
  /**
   * Stores the object unless the key already holds one (a redelivery): write-once, never a
   * second version.
   * @returns `created`, or `exists` when the key was already written.
   */
  putObject(object: ArchiveObject): Promise<'created' | 'exists'>;
}

/**
 * The range of a stream batch as its first attempt saw it, recorded before that attempt's
 * first PUT. A retried batch (same first record, possibly more records after) is cut back
 * to this range, so it plans exactly the first attempt's objects under the same keys.
 */
export interface ArchiveBatchRange {
  /** The stream's ARN (or its label where the ARN is unknown). */
  readonly streamArn: string;
  /** The label of the stream's ARN: sequence numbers are only comparable within one stream. */
  readonly streamLabel: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
}

/** The table partition holding batch ranges; the archiver's role may touch no other item. */
export const ARCHIVE_BATCH_PARTITION = 'SYSTEM#archive-batch';

/** Ranges of batches handed to the archiver (DynamoDB items in ARCHIVE_BATCH_PARTITION, expiring by TTL). */
export interface ArchiveBatchLedger {
  /** The range recorded for the batch that starts at `firstSequenceNumber`, read strongly consistent. */
  find(streamLabel: string, firstSequenceNumber: string): Promise<ArchiveBatchRange | undefined>;
  /**
   * Records `range` unless a range is already recorded for its first sequence number.
   * @returns the range that holds: `range`, or the one recorded first.
   */
  record(range: ArchiveBatchRange, now: Date): Promise<ArchiveBatchRange>;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface ArchiveReader {
  list(prefix: string): AsyncIterable<ListedObject>;
  /** The body, or `undefined` when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
}

/** Asymmetric signing of manifests (KMS in AWS, a local key file locally). */
export interface ManifestSigner {
  readonly keyId: string;
  /** Signature algorithm name, e.g. `ECDSA_SHA_256`. */
  readonly algorithm: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The public half of the signing key, from a trusted source (KMS GetPublicKey, local key file). */
export interface ManifestKeyResolver {
  publicKeyPem(keyId: string): Promise<string>;
}

/** The anchored chain head, kept outside the chain (DynamoDB item `SYSTEM#manifest-head`). */
export interface ManifestHead {
  readonly key: string;
  readonly sha256: string;
  readonly sequence: number;
  readonly windowTo: string;
  readonly createdAt: string;
}

export interface ManifestHeadStore {
  get(): Promise<ManifestHead | undefined>;
  /**
   * Moves the head from `expectedSequence` (undefined: no head yet) to `next`.
   * @throws ManifestHeadConflictError when another export moved it first.
   */
  advance(next: ManifestHead, expectedSequence: number | undefined): Promise<void>;
}

export class ManifestHeadConflictError extends ConflictError {
  constructor(expected: number | undefined) {
    super('manifest-head-conflict', `The manifest head is no longer at sequence ${expected ?? '(none)'}`);
  }
}

/** Audit event ids in the table, for reconciliation. */
export interface AuditEventSource {
  /** Ids of audit events with `from <= occurredAt < to`. */
  eventIdsBetween(from: string, to: string): Promise<string[]>;
}
