/** What the use cases need from storage. Adapters implement these on DynamoDB. */
import type { AuditEvent, ListAuditQuery } from '../schemas/audit.js';
import type { Evidence, EvidenceVersion } from '../schemas/evidence.js';
import type { EvidenceRequest, RequestStatus } from '../schemas/requests.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A request as stored, with the revision its next write must match. */
export interface StoredRequest {
  readonly request: EvidenceRequest;
  readonly revision: number;
}

export type RequestListScope =
  | { readonly by: 'buyer'; readonly orgId: string }
  | { readonly by: 'factory'; readonly orgId: string }
  | { readonly by: 'all' };

/** A version of an evidence made visible to a buyer organisation by a fulfilment. */
export interface EvidenceShare {
  readonly evidenceId: string;
  readonly buyerOrgId: string;
  readonly version: number;
  readonly sharedAt: string;
}

export interface RequestRepository {
  get(requestId: string): Promise<StoredRequest | undefined>;
  /** Stores a new request and its audit event in one transaction. */
  create(request: EvidenceRequest, audit: AuditEvent): Promise<void>;
  /**
   * Replaces the request if its revision is still `expectedRevision`, with the audit event
   * (and the evidence share of a fulfilment) in the same transaction.
   * @throws ConcurrentUpdateError when another write came first.
   */
  update(next: EvidenceRequest, expectedRevision: number, audit: AuditEvent, share?: EvidenceShare): Promise<void>;
  list(scope: RequestListScope, filter: { status?: RequestStatus | undefined }, page: PageRequest): Promise<Page<EvidenceRequest>>;
}

/** An evidence header with every version and every share. */
export interface StoredEvidence {
  readonly evidence: Omit<Evidence, 'versions'>;
  readonly versions: EvidenceVersion[];
  readonly shares: EvidenceShare[];
}

export type EvidenceListScope = { readonly by: 'factory'; readonly factoryId: string } | { readonly by: 'all' };

export interface EvidenceRepository {
  get(evidenceId: string): Promise<StoredEvidence | undefined>;
  create(evidence: Omit<Evidence, 'versions'>, first: EvidenceVersion, audit: AuditEvent): Promise<void>;
  /**
   * Appends version latestVersion + 1 with its audit event in one transaction.
   * @throws ConcurrentUpdateError when another version was added first (retry with the new latest).
   */
  appendVersion(evidenceId: string, expectedLatest: number, version: EvidenceVersion, audit: AuditEvent): Promise<void>;
  list(scope: EvidenceListScope, filter: { docType?: string | undefined }, page: PageRequest): Promise<Page<Evidence>>;
}

export interface AuditFilter extends Omit<ListAuditQuery, 'limit' | 'cursor'> {
  /** Only events of actors of these organisations (a party reading a request's history). */
  readonly actorOrgIds?: readonly string[];
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>>;
}

export interface OrganisationDirectory {
  kindOf(orgId: string): Promise<'buyer' | 'factory' | undefined>;
}

/** Presigned upload address for an evidence file. */
export interface FileUploads {
  uploadUrl(key: string, file: { contentType: string; size: number; sha256: string }): Promise<string>;
}

/** First answers of POSTs sent with an `Idempotency-Key`: the port and its logic live in idempotency.ts. */
export type { IdempotencyStore } from './idempotency.js';
