/**
 * RFC 9457 problem+json answers, and the one table from error class to status code.
 * Details are exposed only below 500; a 5xx says nothing of its cause.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  ConcurrentUpdateError,
  ConflictError,
  DomainError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  IdempotentRequestInFlightError,
  NotFoundError,
  ServiceBusyError,
  ValidationError,
  type FieldError,
} from '../core/errors.js';
import { InvalidTokenError } from '../adapters/cognito-token-verifier.js';
import { correlationIdOf } from './correlation.js';
import { apiCallLogger } from '../observability/logger.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Every problem `type` is this plus its code; API Gateway's own answers use it too (lib/api.ts). */
export const PROBLEM_TYPE_BASE = 'urn:evidence-requests:problem:';

/** No credentials at all: 401 with a bare Bearer challenge. */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
}

export interface ProblemSpec {
  readonly status: number;
  readonly code: string;
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
      type: `${PROBLEM_TYPE_BASE}${spec.code}`,
      title: spec.title,
      status: spec.status,
      ...(spec.detail !== undefined && { detail: spec.detail }),
      correlationId,
      ...(spec.errors && { errors: spec.errors }),
    }),
  };
}

const INTERNAL: ProblemSpec = { status: 500, code: 'internal', title: 'Internal error' };

/** The one mapping from error class to status. */
export function problemFor(error: unknown): ProblemSpec {
  if (error instanceof MissingCredentialsError) {
    return { status: 401, code: 'unauthenticated', title: 'Authentication required', detail: error.message, headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  if (error instanceof InvalidTokenError) {
    return {
      status: 401,
      code: 'invalid-token',
      title: 'Invalid access token',
      detail: 'The access token is malformed, expired or not issued for this API',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    };
  }
  if (!(error instanceof DomainError)) return INTERNAL;
  const detail = error.message;
  if (error instanceof ValidationError) return { status: 400, code: error.code, title: 'Invalid input', detail, errors: error.errors };
  if (error instanceof ForbiddenError) return { status: 403, code: error.code, title: 'Forbidden', detail };
  if (error instanceof NotFoundError) return { status: 404, code: error.code, title: 'Not found', detail };
  if (error instanceof ConflictError || error instanceof ConcurrentUpdateError || error instanceof IdempotentRequestInFlightError) {
    return { status: 409, code: error.code, title: 'Conflict', detail };
  }
  if (error instanceof IdempotencyKeyReusedError) return { status: 422, code: error.code, title: 'Idempotency key reused', detail };
  if (error instanceof ServiceBusyError) {
    return { status: 503, code: error.code, title: 'Service busy', detail, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  return INTERNAL;
}

/** Answers every error as problem+json; logs the cause chain of a 5xx, which the answer never shows. */
export function problemErrors(operation: string): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: async function answerProblem(request) {
      const spec = problemFor(request.error);
      request.response = problemResponse(spec, correlationIdOf(request.event));
      if (spec.status >= 500) {
        apiCallLogger(request.event, correlationIdOf(request.event)).error('call failed', { operation, error: request.error });
      }
    },
  };
}
