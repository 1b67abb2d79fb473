/** The problem middleware: the one table from error family to status, the type URIs clients rely on, and nothing of a 5xx's cause. */
import { describe, expect, it } from 'vitest';
import {
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
  ServiceBusyError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../functions/core/errors.js';
import { problemErrors, problemFor, problemResponse } from '../../../functions/middleware/problem.js';
import { apiEvent } from '../../support/events.js';

const TYPE = 'urn:evidence-requests:problem:';

describe('problemFor', () => {
  // The type URIs as served before codes existed: clients rely on them, so they never change.
  it.each([
    [new ValidationError([{ path: '/title', message: 'is required' }]), 400, 'invalid-input', 'invalid-input'],
    [new HiddenValidationError([{ path: '/evidenceId', message: 'x' }], { code: 'evidence-not-found' }), 400, 'invalid-input', 'evidence-not-found'],
    [new UnsupportedMediaTypeError('send JSON'), 415, 'unsupported-media-type', 'unsupported-media-type'],
    [new MissingCredentialsError('no token'), 401, 'unauthenticated', 'credentials-missing'],
    [new InvalidTokenError('bad'), 401, 'invalid-token', 'token-invalid'],
    [new ForbiddenError('role-forbidden', 'no'), 403, 'forbidden', 'role-forbidden'],
    [new NotFoundError('request-not-found', 'No such request'), 404, 'not-found', 'request-not-found'],
    [new HiddenNotFoundError('evidence-not-found', 'No such evidence'), 404, 'not-found', 'evidence-not-found'],
    [new NoRouteError('No route'), 404, 'no-route', 'no-route'],
    [new ConflictError('item-not-pending', 'The item is FULFILLED'), 409, 'conflict', 'item-not-pending'],
    [new ConcurrentUpdateError(), 409, 'concurrent-update', 'concurrent-update'],
    [new IdempotentRequestInFlightError('wait'), 409, 'idempotent-request-in-flight', 'idempotent-request-in-flight'],
    [new IdempotencyKeyReusedError('other body'), 422, 'idempotency-key-reused', 'idempotency-key-reused'],
    [new ServiceBusyError(2), 503, 'service-busy', 'service-busy'],
  ])('%s answers %i, type %s, code %s', (error, status, family, code) => {
    const spec = problemFor(error);
    expect(spec).toMatchObject({ status, code });
    const body = JSON.parse(problemResponse(spec, 'corr-1').body);
    expect(body).toMatchObject({ type: `${TYPE}${family}`, status, code, correlationId: 'corr-1' });
  });

  it('says nothing of an unknown error or an integrity failure', () => {
    for (const error of [new Error('db password is hunter2'), new IntegrityError('archive-chain-broken', 'chain broken at 7'), 'a string']) {
      const body = JSON.parse(problemResponse(problemFor(error), 'c').body);
      expect(body).toEqual({ type: `${TYPE}internal`, title: 'Internal error', status: 500, code: 'internal', correlationId: 'c' });
    }
  });

  it('sends the challenges and Retry-After with their statuses', () => {
    expect(problemFor(new MissingCredentialsError('x')).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(problemFor(new InvalidTokenError('x')).headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    expect(problemFor(new ServiceBusyError(3)).headers).toEqual({ 'Retry-After': '3' });
  });
});

describe('problemErrors', () => {
  it('turns the error of a request into its problem+json answer', async () => {
    const event = apiEvent({ method: 'GET', url: '/v1/requests', requestId: 'corr-9' });
    const request = { event, context: {} as never, response: undefined, error: new ForbiddenError('role-forbidden', 'no'), internal: {} } as never;
    await problemErrors('listRequests').onError!(request);
    const response = (request as { response: { statusCode: number; headers: Record<string, string>; body: string } }).response;
    expect(response.statusCode).toBe(403);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ code: 'role-forbidden', correlationId: 'corr-9' });
  });
});
