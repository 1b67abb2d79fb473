/**
 * RFC 9457 problem+json answers, and the one table from error family to status code.
 * Details are exposed only below 500; a 5xx says nothing of its cause and logs its chain.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidTokenError,
  MissingCredentialsError,
  NotFoundError,
  ServiceBusyError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldError,
} from '../core/errors.js';
import { correlationIdOf, type ApiMiddleware, type ApiRequest } from './state.js';
import { apiCallLogger } from '../observability/logger.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Every problem `type` is this plus its code; API Gateway's own answers use it too (lib/api.ts). */
export const PROBLEM_TYPE_BASE = 'urn:evidence-requests:problem:';

export interface ProblemSpec {
  readonly status: number;
  /** The precise rule, served as `code`; also the `type` suffix unless `family` is given. */
  readonly code: string;
  /** The `type` suffix, when it differs from `code`. */
  readonly family?: string;
  readonly title: string;
  readonly detail?: string | undefined;
  readonly errors?: readonly FieldError[] | undefined;
  readonly headers?: Record<string, string>;
}

export function problemResponse(spec: ProblemSpec, correlationId: string): APIGatewayProxyResult {
  return {
    statusCode: spec.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...spec.headers },
    body: JSON.stringify({
      type: `${PROBLEM_TYPE_BASE}${spec.family ?? spec.code}`,
      title: spec.title,
      status: spec.status,
      code: spec.code,
      ...(spec.detail !== undefined && { detail: spec.detail }),
      correlationId,
      ...(spec.errors && { errors: spec.errors }),
    }),
  };
}

const INTERNAL: ProblemSpec = { status: 500, code: 'internal', title: 'Internal error' };

/** Status and title per family: the one place an error becomes an HTTP status. */
function statusOf(error: AppError): { status: number; title: string; headers?: Record<string, string> } | undefined {
  if (error instanceof MissingCredentialsError) return { status: 401, title: 'Authentication required', headers: { 'WWW-Authenticate': 'Bearer' } };
  if (error instanceof InvalidTokenError) {
    return { status: 401, title: 'Invalid access token', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } };
  }
  if (error instanceof ValidationError) return { status: 400, title: 'Invalid input' };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, title: 'Unsupported media type' };
  if (error instanceof ForbiddenError) return { status: 403, title: 'Forbidden' };
  if (error instanceof NotFoundError) return { status: 404, title: 'Not found' };
  if (error instanceof ConflictError) return { status: 409, title: 'Conflict' };
  if (error instanceof IdempotencyKeyReusedError) return { status: 422, title: 'Idempotency key reused' };
  if (error instanceof ServiceBusyError) return { status: 503, title: 'Service busy', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  return undefined;
}

/** The problem an error answers. */
export function problemFor(error: unknown): ProblemSpec {
  if (!(error instanceof AppError)) return INTERNAL;
  const mapped = statusOf(error);
  if (!mapped) return INTERNAL;
  const detail = error instanceof InvalidTokenError ? 'The access token is malformed, expired or not issued for this API' : error.message;
  return {
    status: mapped.status,
    code: error.code,
    family: error.family,
    title: mapped.title,
    detail,
    ...(error instanceof ValidationError && { errors: error.errors }),
    ...(mapped.headers && { headers: mapped.headers }),
  };
}

/** Answers every error as problem+json. Used last, so its onError runs first. */
export function problemErrors(operation: string): ApiMiddleware {
  return {
    onError: async function answerProblem(request: ApiRequest) {
      const spec = problemFor(request.error);
      request.response = problemResponse(spec, correlationIdOf(request.event));
      if (spec.status >= 500) {
        apiCallLogger(request.event, correlationIdOf(request.event)).error('call failed', { operation, error: request.error });
      }
    },
  };
}
