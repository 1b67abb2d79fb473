/**
 * Domain errors. Each has a stable `code`; none knows HTTP. The problem+json middleware is
 * the one table from error class to status code.
 */
export interface FieldError {
  /** JSON Pointer into the body (`/items/0/docType`) or `query.<name>` / `path.<name>` / `header.<name>`. */
  readonly path: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** True when the refusal hides another tenant's data: audited as DENIED, not FAILED. */
  readonly denied: boolean = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'invalid-input';
  override readonly denied: boolean;

  constructor(
    readonly errors: readonly FieldError[],
    options: { denied?: boolean; message?: string } = {},
  ) {
    super(options.message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.denied = options.denied ?? false;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not-found';
  override readonly denied: boolean;

  /** `hidesTenant`: the object exists but belongs to another tenant. */
  constructor(resource: string, options: { hidesTenant?: boolean } = {}) {
    super(`No such ${resource}`);
    this.denied = options.hidesTenant ?? false;
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  override readonly denied = true;
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** The store refused because another write changed the object first. */
export class ConcurrentUpdateError extends DomainError {
  readonly code = 'concurrent-update';
}

/** The data store is throttling; the caller may retry after `retryAfterSeconds`. */
export class ServiceBusyError extends DomainError {
  readonly code = 'service-busy';

  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('The service is busy; retry later', options);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency-key-reused';
}

export class IdempotentRequestInFlightError extends DomainError {
  readonly code = 'idempotent-request-in-flight';
}
