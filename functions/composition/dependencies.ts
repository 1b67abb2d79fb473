/**
 * What each route group needs. The composition root (root.ts) builds them for Lambda and the
 * local runtime; tests build them on DynamoDB Local or in memory and pass them to createHandler.
 */
import type { AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { PrivilegedChangeSignal } from '../core/use-cases/directory.js';
import type { AuditLog, CommentRepository, PersonalDataVault, DirectoryRepository, EvidenceFileUrls, EvidenceRepository, IdentityDirectory, OrganisationDirectory, PackFileUrls, PackJobs, PackRepository, RequestRepository } from '../core/ports.js';
import type { CursorSealer } from '../middleware/cursors.js';
import type { HostResolver, Inbox, WebhookRepository } from '../core/notification-ports.js';
import type { UrlPolicy } from '../core/webhook-url.js';
import type { SessionFreshness } from '../middleware/session-freshness.js';

export interface AppDeps {
  readonly verifier: AccessTokenVerifier;
  /** Refuses tokens issued before a change of their user or organisation, on every route group. */
  readonly sessions: SessionFreshness;
  /** Seals the personal fields of audit events before they are stored. */
  readonly vault: PersonalDataVault;
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
  /** Organisation and user records in the table. */
  readonly directory: DirectoryRepository;
  /** Sign-in identities: Cognito in AWS, the local user store locally. */
  readonly identities: IdentityDirectory;
  /** Told of changes of privileged roles (the alarm's log line). */
  readonly signals?: PrivilegedChangeSignal;
  readonly packs: PackRepository;
  /** Presigned GETs of pack ZIPs. */
  readonly packFileUrls: PackFileUrls;
  /** The queue of pack builds. */
  readonly packJobs: PackJobs;
  readonly now?: () => Date;
}

export type RequestsDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'idempotency' | 'cursors' | 'requests' | 'evidence' | 'organisations' | 'comments'> & Pick<AppDeps, 'now'>;
export type EvidenceDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'idempotency' | 'cursors' | 'evidence' | 'fileUrls'> & Pick<AppDeps, 'now'>;
export type AuditDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'cursors'> & Pick<AppDeps, 'now'>;
export type PublicDeps = Pick<AppDeps, 'verifier' | 'sessions'>;

/** The notifications route group: inboxes and webhooks. */
export type NotificationsDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'idempotency' | 'cursors'> &
  Pick<AppDeps, 'now'> & {
    readonly inbox: Inbox;
    readonly webhooks: WebhookRepository;
    readonly resolveHost: HostResolver;
    readonly urlPolicy: UrlPolicy;
  };
/** The directory route group; requests, evidence, comments and the inbox feed a user's data export. */
export type DirectoryDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'idempotency' | 'cursors' | 'directory' | 'identities' | 'requests' | 'evidence' | 'comments'> &
  Pick<AppDeps, 'now' | 'signals'> & { readonly inbox: Pick<Inbox, 'list'> };
export type PacksDeps = Pick<AppDeps, 'verifier' | 'sessions' | 'vault' | 'auditLog' | 'idempotency' | 'cursors' | 'evidence' | 'organisations' | 'packs' | 'packFileUrls' | 'packJobs'> & Pick<AppDeps, 'now'>;
