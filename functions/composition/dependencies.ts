/**
 * What each route group needs. The composition root (root.ts) builds them for Lambda and the
 * local runtime; tests build them on DynamoDB Local or in memory and pass them to createHandler.
 */
import type { AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { AuditLog, CommentRepository, EvidenceFileUrls, EvidenceRepository, OrganisationDirectory, PackFileUrls, PackJobs, PackRepository, RequestRepository } from '../core/ports.js';
import type { CursorSealer } from '../middleware/cursors.js';
import type { HostResolver, Inbox, WebhookRepository } from '../core/notification-ports.js';
import type { UrlPolicy } from '../core/webhook-url.js';

export interface AppDeps {
  readonly verifier: AccessTokenVerifier;
  readonly auditLog: AuditLog;
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly organisations: OrganisationDirectory;
  readonly comments: CommentRepository;
  /** Presigned PUT and GET addresses of evidence files. */
  readonly fileUrls: EvidenceFileUrls;
  /** The first answers of POSTs sent with an `Idempotency-Key`. */
  readonly idempotency: IdempotencyStore;
  /** Seals list positions into cursors bound to the caller and the query. */
  readonly cursors: CursorSealer;
  readonly packs: PackRepository;
  /** Presigned GETs of pack ZIPs. */
  readonly packFileUrls: PackFileUrls;
  /** The queue of pack builds. */
  readonly packJobs: PackJobs;
  readonly now?: () => Date;
}

export type RequestsDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'cursors' | 'requests' | 'evidence' | 'organisations' | 'comments'> & Pick<AppDeps, 'now'>;
export type EvidenceDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'cursors' | 'evidence' | 'fileUrls'> & Pick<AppDeps, 'now'>;
export type AuditDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'cursors'> & Pick<AppDeps, 'now'>;
export type PublicDeps = Pick<AppDeps, 'verifier'>;

/** The notifications route group: inboxes and webhooks. */
export type NotificationsDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'cursors'> &
  Pick<AppDeps, 'now'> & {
    readonly inbox: Inbox;
    readonly webhooks: WebhookRepository;
    readonly resolveHost: HostResolver;
    readonly urlPolicy: UrlPolicy;
  };
export type PacksDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'cursors' | 'evidence' | 'organisations' | 'packs' | 'packFileUrls' | 'packJobs'> & Pick<AppDeps, 'now'>;
