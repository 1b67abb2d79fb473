/**
 * The `Idempotency-Key` of every POST (API.md, "Idempotency and limits"). Runs after the
 * caller is authenticated and the input parsed, right before the use case:
 * - no key: nothing happens;
 * - a first call claims the key, runs, and stores its answer (a success, or a refusal
 *   below 500); a 5xx releases the claim so a retry runs again;
 * - a repeat with the same body is answered from `before`, as Powertools' idempotency does:
 *   the first answer with its own X-Request-Id and its own audit event (the first call's
 *   outcome and status, no `changes`: nothing changed); the use case never runs;
 * - another body answers 422, a repeat of a call still in flight waits briefly, then 409.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Route } from '../api/routes.js';
import { outcomeOf } from '../core/errors.js';
import {
  beginIdempotentCall,
  IDEMPOTENCY_HEADER,
  idempotencyKeyOf,
  type ClaimedCall,
  type IdempotencyOptions,
  type IdempotencyStore,
  type StoredAnswer,
} from '../core/idempotency.js';
import type { AuditLog } from '../core/ports.js';
import { withAnswerHeaders } from './correlation.js';
import { apiCallLogger } from '../observability/logger.js';
import { problemFor, problemResponse } from './problem.js';
import { correlationIdOf, headerValues, stateOf, type ApiMiddleware, type ApiRequest } from './state.js';

/** Marks a replayed answer, as Stripe and the IETF draft on idempotency keys do. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The answer a repeat receives: the first answer, with this call's correlation id. */
export function replayedResponse(answer: StoredAnswer, correlationId: string): APIGatewayProxyResult {
  const response: APIGatewayProxyResult = answer.problem
    ? problemResponse({ status: answer.statusCode, ...answer.problem }, correlationId)
    : {
        statusCode: answer.statusCode,
        headers: { 'Content-Type': 'application/json', ...(answer.location !== undefined && { Location: answer.location }) },
        body: answer.body ?? '',
      };
  return withAnswerHeaders({ ...response, headers: { ...response.headers, [REPLAYED_HEADER]: 'true' } }, correlationId);
}

function logFailure(request: ApiRequest, message: string, error: unknown): void {
  apiCallLogger(request.event, correlationIdOf(request.event)).error(message, { error });
}

export interface IdempotencyMiddlewareOptions extends IdempotencyOptions {
  readonly route: Route;
  /** Required for POST routes. */
  readonly store?: IdempotencyStore | undefined;
  readonly auditLog?: AuditLog | undefined;
}

export function idempotency({ route, store, auditLog, ...options }: IdempotencyMiddlewareOptions): ApiMiddleware[] {
  if (route.method !== 'POST') return []; // not this route's concern: the chain's order stays the same
  if (!store || !auditLog) throw new Error(`Route ${route.method} ${route.path} is a POST: pass an idempotency store and an audit log`);

  const complete = async (request: ApiRequest, claim: ClaimedCall, answer: StoredAnswer) => {
    try {
      // The change is committed with its audit event whatever happens here: never turn a
      // success into an error. If the answer cannot be stored, the claim expires and a repeat runs again.
      if (!(await store.complete(claim.keyHash, claim.owner, answer))) logFailure(request, 'idempotency claim lost before completion', 'conditional check failed');
    } catch (error) {
      logFailure(request, 'idempotent answer not stored', error);
    }
  };

  return [{
    before: async function claimOrReplay(request: ApiRequest) {
      const key = idempotencyKeyOf(headerValues(request.event, IDEMPOTENCY_HEADER));
      if (key === undefined) return undefined;
      const state = stateOf(request);
      const { event } = request;
      const result = await beginIdempotentCall(
        store,
        { userId: state.principal.userId, method: event.httpMethod, path: event.path, key },
        state.input.json,
        options,
      );
      if (result.kind === 'run') {
        state.claim = result;
        return undefined;
      }
      const { answer } = result;
      const trail = state.trail;
      if (answer.resourceId !== undefined) trail.identify(answer.resourceId);
      await trail.record(
        { outcome: answer.outcome, statusCode: answer.statusCode, reason: `idempotent replay of the answer to ${answer.correlationId}` },
        (e) => auditLog.record(e),
      );
      return replayedResponse(answer, correlationIdOf(event));
    },

    after: async function storeAnswer(request: ApiRequest) {
      const state = stateOf(request);
      const response = request.response;
      if (!state.claim || !response) return;
      const location = response.headers?.Location;
      await complete(request, state.claim, {
        statusCode: response.statusCode,
        outcome: 'SUCCESS',
        resourceId: state.audit?.resourceId,
        correlationId: correlationIdOf(request.event),
        body: response.body,
        ...(typeof location === 'string' && { location }),
      });
    },

    onError: async function storeRefusalOrRelease(request: ApiRequest) {
      const claim = stateOf(request).claim;
      if (!claim) return;
      const spec = problemFor(request.error);
      if (spec.status >= 500) {
        // Nothing was answered for good: let a retry with the same key run again.
        try {
          await store.release(claim.keyHash, claim.owner);
        } catch (error) {
          logFailure(request, 'idempotency claim not released; it expires by itself', error);
        }
        return;
      }
      await complete(request, claim, {
        statusCode: spec.status,
        outcome: outcomeOf(request.error),
        resourceId: stateOf(request).audit?.resourceId,
        correlationId: correlationIdOf(request.event),
        problem: { code: spec.code, ...(spec.family !== undefined && { family: spec.family }), title: spec.title, detail: spec.detail, errors: spec.errors },
      });
    },
  }];
}
