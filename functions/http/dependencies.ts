/**
 * What the route groups need. Each Lambda entry (functions/handlers/) builds only its own
 * group's adapters from the environment, so a bundle carries no client it never calls;
 * tests build them on DynamoDB Local and pass them to createHandler.
 */
import type { AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { AuditLog, EvidenceFileUrls, EvidenceRepository, OrganisationDirectory, RequestRepository } from '../core/ports.js';

export interface AppDeps {
  readonly verifier: AccessTokenVerifier;
  readonly auditLog: AuditLog;
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly organisations: OrganisationDirectory;
  /** Presigned PUT and GET addresses of evidence files. */
  readonly fileUrls: EvidenceFileUrls;
  /** The first answers of POSTs sent with an `Idempotency-Key`. */
  readonly idempotency: IdempotencyStore;
  readonly now?: () => Date;
}

export type RequestsDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'requests' | 'evidence' | 'organisations' | 'now'>;
export type EvidenceDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'idempotency' | 'evidence' | 'fileUrls' | 'now'>;
export type AuditDeps = Pick<AppDeps, 'verifier' | 'auditLog' | 'now'>;
export type PublicDeps = Pick<AppDeps, 'verifier'>;
