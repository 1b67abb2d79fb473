/**
 * The error hierarchy as clients and the audit trail see it: each family (the problem
 * `type`), each default code and message, which refusals are DENIED, and a description for
 * every problem code (the OpenAPI document publishes them).
 */
import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConcurrentUpdateError,
  ConflictError,
  ForbiddenError,
  HiddenNotFoundError,
  HiddenValidationError,
  IdempotencyKeyReusedError,
  IdempotentRequestInFlightError,
  IntegrityError,
  InvalidTokenError,
  MissingCredentialsError,
  NoRouteError,
  NotFoundError,
  outcomeOf,
  PROBLEM_CODES,
  ServiceBusyError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../functions/core/errors.js';

describe('problem codes', () => {
  it('describe every code in a sentence', () => {
    for (const [code, description] of Object.entries(PROBLEM_CODES)) {
      expect(code).toMatch(/^[a-z0-9-]+$/);
      expect(description.length, code).toBeGreaterThan(10);
    }
  });
});

describe('the error families', () => {
  const cause = new Error('root');
  it.each<[string, AppError, { family: string; code: string; outcome: 'DENIED' | 'FAILED'; message: string; name: string }]>([
    ['validation', new ValidationError([{ path: '/title', message: 'too long' }, { path: 'query.limit', message: 'not a number' }]), { family: 'invalid-input', code: 'invalid-input', outcome: 'FAILED', message: '/title: too long; query.limit: not a number', name: 'ValidationError' }],
    ['validation with its own code', new ValidationError([{ path: '/dueDate', message: 'past' }], { code: 'due-date-past', message: 'custom' }), { family: 'invalid-input', code: 'due-date-past', outcome: 'FAILED', message: 'custom', name: 'ValidationError' }],
    ['hidden validation', new HiddenValidationError([{ path: '/evidenceId', message: 'no such evidence' }], { code: 'evidence-not-found' }), { family: 'invalid-input', code: 'evidence-not-found', outcome: 'DENIED', message: '/evidenceId: no such evidence', name: 'HiddenValidationError' }],
    ['media type', new UnsupportedMediaTypeError('json only'), { family: 'unsupported-media-type', code: 'unsupported-media-type', outcome: 'FAILED', message: 'json only', name: 'UnsupportedMediaTypeError' }],
    ['not found', new NotFoundError('item-not-found', 'No such item'), { family: 'not-found', code: 'item-not-found', outcome: 'FAILED', message: 'No such item', name: 'NotFoundError' }],
    ['no route', new NoRouteError('nothing here'), { family: 'no-route', code: 'no-route', outcome: 'FAILED', message: 'nothing here', name: 'NoRouteError' }],
    ['hidden not found', new HiddenNotFoundError('request-not-found', 'No such request'), { family: 'not-found', code: 'request-not-found', outcome: 'DENIED', message: 'No such request', name: 'HiddenNotFoundError' }],
    ['forbidden', new ForbiddenError('role-forbidden', 'no'), { family: 'forbidden', code: 'role-forbidden', outcome: 'DENIED', message: 'no', name: 'ForbiddenError' }],
    ['conflict', new ConflictError('request-closed', 'closed'), { family: 'conflict', code: 'request-closed', outcome: 'FAILED', message: 'closed', name: 'ConflictError' }],
    ['concurrent update', new ConcurrentUpdateError(), { family: 'concurrent-update', code: 'concurrent-update', outcome: 'FAILED', message: 'A concurrent write changed the item first', name: 'ConcurrentUpdateError' }],
    ['in flight', new IdempotentRequestInFlightError('wait'), { family: 'idempotent-request-in-flight', code: 'idempotent-request-in-flight', outcome: 'FAILED', message: 'wait', name: 'IdempotentRequestInFlightError' }],
    ['key reused', new IdempotencyKeyReusedError('other body'), { family: 'idempotency-key-reused', code: 'idempotency-key-reused', outcome: 'FAILED', message: 'other body', name: 'IdempotencyKeyReusedError' }],
    ['busy', new ServiceBusyError(3, { cause }), { family: 'service-busy', code: 'service-busy', outcome: 'FAILED', message: 'The service is busy; retry later', name: 'ServiceBusyError' }],
    ['no credentials', new MissingCredentialsError('none'), { family: 'unauthenticated', code: 'credentials-missing', outcome: 'FAILED', message: 'none', name: 'MissingCredentialsError' }],
    ['bad token', new InvalidTokenError('bad', { cause }), { family: 'invalid-token', code: 'token-invalid', outcome: 'FAILED', message: 'bad', name: 'InvalidTokenError' }],
    ['integrity', new IntegrityError('archive-chain-broken', 'broken'), { family: 'integrity', code: 'archive-chain-broken', outcome: 'FAILED', message: 'broken', name: 'IntegrityError' }],
  ])('%s', (_, error, expected) => {
    expect({ family: error.family, code: error.code, outcome: error.outcome, message: error.message, name: error.name }).toEqual(expected);
    expect(outcomeOf(error)).toBe(expected.outcome);
  });

  it('keeps the cause, the fields and the retry delay', () => {
    expect(new ServiceBusyError(7, { cause }).retryAfterSeconds).toBe(7);
    expect(new InvalidTokenError('bad', { cause }).cause).toBe(cause);
    expect(new ValidationError([{ path: '/a', message: 'b' }]).errors).toEqual([{ path: '/a', message: 'b' }]);
  });

  it('counts an unknown error as a failure', () => {
    expect(outcomeOf(new Error('x'))).toBe('FAILED');
    expect(outcomeOf('thrown string')).toBe('FAILED');
  });
});
