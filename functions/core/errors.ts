/**
 * The one error hierarchy. Every refusal the product knows extends AppError; a family (the
 * subclass) says what kind of refusal it is and gives the problem `type`, a `code` names the
 * precise rule a client acts on, and the audit outcome derives from the class. Nothing here
 * knows HTTP: the problem middleware is the one table from family to status code.
 */

export interface FieldError {
  /** JSON Pointer into the body (`/items/0/docType`) or `query.<name>` / `path.<name>` / `header.<name>`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Every precise rule, listed once: the OpenAPI document publishes them, and a code can only
 * be one of these. Codes are a contract: add, never rename.
 */
export const PROBLEM_CODES = {
  'invalid-input': 'A field breaks its schema (see `errors`)',
  'invalid-json': 'The body is not JSON',
  'invalid-utf8': 'The body is not valid UTF-8',
  'unsupported-media-type': 'A body sent without `Content-Type: application/json`',
  'range-reversed': '`from` is later than `to`',
  'invalid-cursor': 'The cursor was altered, or belongs to another user or query',
  'header-repeated': 'A header that decides idempotency was sent more than once',
  'idempotency-key-invalid': 'The `Idempotency-Key` is not 1-128 printable characters',
  'factory-not-registered': '`factoryId` names no registered factory',
  'evidence-not-found': 'No such evidence in the caller\'s library',
  'evidence-doctype-mismatch': 'The evidence is of another docType than the item',
  'version-not-found': 'The evidence has no such version',
  'version-expired': 'The version expired',
  'file-not-found': 'The version carries no file',
  'file-not-available': 'The version\'s file is not AVAILABLE (still PENDING_UPLOAD, or REJECTED)',
  'file-not-pending': 'The version\'s file is no longer PENDING_UPLOAD: it was verified or rejected',
  'credentials-missing': 'No bearer access token',
  'token-invalid': 'The access token is malformed, expired, or not issued for this API',
  'role-forbidden': 'The caller\'s role may never do this',
  'organisation-missing': 'The account acts for no organisation',
  'request-not-found': 'No such request (or it belongs to another tenant)',
  'item-not-found': 'No such item on the request',
  'no-route': 'No such endpoint',
  'request-closed': 'The request is CANCELLED or COMPLETED',
  'item-not-pending': 'The item is neither PENDING nor REJECTED',
  'item-not-fulfilled': 'The item is not FULFILLED',
  'request-not-cancellable': 'Only OPEN and IN_PROGRESS requests can be cancelled',
  'too-many-versions': 'The evidence holds the most versions it may',
  'update-contention': 'The object kept changing concurrently',
  'concurrent-update': 'Another write changed the object first',
  'idempotency-key-reused': 'The `Idempotency-Key` was used with another body',
  'idempotent-request-in-flight': 'The first call with this `Idempotency-Key` is still running',
  'service-busy': 'The data store is throttling or unreachable',
  'archive-chain-broken': 'An archive manifest does not chain to its predecessor',
  'archive-record-invalid': 'A stream record has no valid archive shape',
  'manifest-head-conflict': 'Another export moved the manifest head first',
  'audit-reconciliation-mismatch': 'The table and the archive disagree on the audit events of a window',
  'method-not-allowed': 'A known path with another method (see `Allow`)',
  'payload-too-large': 'The body is larger than the API accepts',
  'rate-limited': 'Past a rate limit (see `Retry-After`)',
  throttled: 'Every function instance is busy (see `Retry-After`)',
  starting: 'The local runtime is still starting',
  'bad-credentials': 'Local sign-in: unknown user or wrong password',
  timeout: 'The endpoint did not answer in time',
  'bad-gateway': 'The endpoint gave no valid answer',
  internal: 'An internal error; the answer says nothing of its cause',
  'due-date-past': '`dueDate` lies before today (UTC)',
  'comment-item-not-found': 'The comment names an item the request does not have',
  'notification-not-found': 'No such notification in the caller\'s inbox',
  'webhook-not-found': 'No such webhook (or it belongs to another organisation)',
  'webhook-url-refused': 'The webhook URL is not https, or resolves to a private, loopback or link-local address',
  'organisation-not-found': 'No such organisation (or it is not visible to the caller)',
  'user-not-found': 'No such user (or it is not visible to the caller)',
  'organisation-kind-mismatch': 'A buyer or factory user needs an active organisation of that kind; auditors and admins none',
  'organisation-suspended': 'The organisation is SUSPENDED',
  'username-taken': 'Another user already has this username',
  'self-change-forbidden': 'An admin cannot disable, demote or erase themselves',
  'last-admin': 'The last active admin cannot be disabled, demoted or erased',
  'user-erased': 'The user was erased; nothing more can be done to them',
  'session-revoked': 'The access token was issued before a change of the user or organisation (disabled, role or org changed, suspended)',
  'pack-not-found': 'No such pack (or it belongs to another tenant)',
  'pack-item-duplicate': 'The pack names the same evidence version twice',
  'pack-shared-with-required': 'A factory\'s pack names the buyer org it is shared with (`sharedWithOrgId`)',
  'pack-shared-with-forbidden': 'A buyer\'s pack is for its own records: it takes no `sharedWithOrgId`',
  'buyer-not-registered': '`sharedWithOrgId` names no registered buyer organisation',
  'pack-not-ready': 'The pack is not READY (still PENDING, or FAILED)',
  'pack-expired': 'The pack\'s ZIP was kept 30 days and has expired (the record stays)',
  'share-link-not-found': 'No such share link on the pack',
  'shared-not-found': 'No pack behind this link: unknown, expired, revoked, or not ready',
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** How the audit trail records a refused call. */
export type RefusalOutcome = 'DENIED' | 'FAILED';

export abstract class AppError extends Error {
  /** The problem `type` is `urn:evidence-requests:problem:<family>`; clients rely on it. */
  abstract readonly family: string;
  /** Refusals of role or tenancy are DENIED; everything else FAILED. */
  readonly outcome: RefusalOutcome = 'FAILED';

  constructor(
    readonly code: ProblemCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The outcome of a refusal, from its class; an unknown error is a failure. */
export function outcomeOf(error: unknown): RefusalOutcome {
  return error instanceof AppError ? error.outcome : 'FAILED';
}

export class ValidationError extends AppError {
  readonly family = 'invalid-input';

  constructor(
    readonly errors: readonly FieldError[],
    options: { code?: ProblemCode; message?: string } = {},
  ) {
    super(options.code ?? 'invalid-input', options.message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

/** Input refused exactly as unknown input is, because it names another tenant's object (audited DENIED). */
export class HiddenValidationError extends ValidationError {
  override readonly outcome = 'DENIED';
}

/** A body sent as something other than JSON. */
export class UnsupportedMediaTypeError extends AppError {
  readonly family = 'unsupported-media-type';

  constructor(message: string) {
    super('unsupported-media-type', message);
  }
}

export class NotFoundError extends AppError {
  readonly family: string = 'not-found';

  constructor(
    code: 'request-not-found' | 'item-not-found' | 'evidence-not-found' | 'version-not-found' | 'file-not-found' | 'no-route' | 'notification-not-found' | 'webhook-not-found' | 'organisation-not-found' | 'user-not-found' | 'pack-not-found' | 'share-link-not-found' | 'shared-not-found',
    message: string,
  ) {
    super(code, message);
  }
}

/** A path no route serves (its problem `type` has always been `no-route`). */
export class NoRouteError extends NotFoundError {
  override readonly family = 'no-route';

  constructor(message: string) {
    super('no-route', message);
  }
}

/** Another tenant's object: answered exactly as an absent one, audited DENIED. */
export class HiddenNotFoundError extends NotFoundError {
  override readonly outcome = 'DENIED';
}

export class ForbiddenError extends AppError {
  readonly family = 'forbidden';
  override readonly outcome = 'DENIED';

  constructor(code: 'role-forbidden' | 'organisation-missing', message: string) {
    super(code, message);
  }
}

/** The object's state does not allow the command. */
export class ConflictError extends AppError {
  readonly family: string = 'conflict';
}

/** The store refused because another write changed the object first. */
export class ConcurrentUpdateError extends ConflictError {
  override readonly family = 'concurrent-update';

  constructor(message = 'A concurrent write changed the item first', options?: ErrorOptions) {
    super('concurrent-update', message, options);
  }
}

export class IdempotentRequestInFlightError extends ConflictError {
  override readonly family = 'idempotent-request-in-flight';

  constructor(message: string) {
    super('idempotent-request-in-flight', message);
  }
}

export class IdempotencyKeyReusedError extends AppError {
  readonly family = 'idempotency-key-reused';

  constructor(message: string) {
    super('idempotency-key-reused', message);
  }
}

/** The data store is throttling or unreachable; the caller may retry after `retryAfterSeconds`. */
export class ServiceBusyError extends AppError {
  readonly family = 'service-busy';

  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('service-busy', 'The service is busy; retry later', options);
  }
}

/** The caller could not be identified: no credentials, or a token that is refused. */
export abstract class AuthenticationError extends AppError {}

/** No credentials at all (no header, or another scheme). */
export class MissingCredentialsError extends AuthenticationError {
  readonly family = 'unauthenticated';

  constructor(message: string) {
    super('credentials-missing', message);
  }
}

/** Malformed, badly signed, expired, wrong issuer/client/use, or sent twice. */
export class InvalidTokenError extends AuthenticationError {
  readonly family = 'invalid-token';

  constructor(message: string, options?: ErrorOptions, code: 'token-invalid' | 'session-revoked' = 'token-invalid') {
    super(code, message, options);
  }
}

/** A valid token issued before the user or their organisation changed (disabled, role or org changed, suspended, erased). */
export class RevokedSessionError extends InvalidTokenError {
  constructor(message: string) {
    super(message, undefined, 'session-revoked');
  }
}

/** The audit archive's own integrity failures (never answered over HTTP: a 500 if one ever reached the edge). */
export class IntegrityError extends AppError {
  readonly family = 'integrity';
}
