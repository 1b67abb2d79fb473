/**
 * The `Idempotency-Key` of every POST (API.md, "Idempotency and limits"). Runs after the
 * caller is authenticated and the input parsed, right before the use case:
 * - no key: nothing happens;
 * - a first call claims the key, runs, and stores its answer (a success, or a refusal
 *   below 500); a 5xx releases the claim so a retry runs again;
 * - a repeat with the same body replays the first answer with its own X-Request-Id and its
 *   own audit event (the first call's outcome and status, no `changes`: nothing changed);
 * - another body answers 422, a repeat of a call still in flight waits briefly, then 409.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DomainError } from '../core/errors.js';
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
import type { CallContext } from './api-route.js';
import { correlationIdOf } from './correlation.js';
import { apiCallLogger } from '../observability/logger.js';
import { problemFor, problemResponse } from './problem.js';

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext>;

/** What the middleware knows of one call, on the call state. */
export interface IdempotencyState {
  /** This call holds the key and runs the use case. */
  readonly claim?: ClaimedCall;
  /** This call repeats a completed one: the handler answers with this instead of running. */
  readonly replay?: StoredAnswer;
}

/** Marks a replayed answer, as Stripe and the IETF draft on idempotency keys do. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Every value of a header, whatever its casing; API Gateway folds repeats into multiValueHeaders. */
function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  const multi = event.multiValueHeaders ?? {};
  const source = Object.keys(multi).length > 0 ? multi : Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k, v === undefined ? [] : [v]]));
  for (const [key, list] of Object.entries(source)) if (key.toLowerCase() === wanted) values.push(...(list ?? []));
  return values;
}

/** The body as JSON; the parse step has already refused what is not JSON. */
function jsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text);
}

/** The answer a repeat receives: the first answer, with this call's correlation id. */
export function replayedResponse(answer: StoredAnswer, correlationId: string): APIGatewayProxyResult {
  if (answer.problem) {
    const response = problemResponse({ status: answer.statusCode, ...answer.problem }, correlationId);
    return { ...response, headers: { ...response.headers, [REPLAYED_HEADER]: 'true' } };
  }
  return {
    statusCode: answer.statusCode,
    headers: { 'Content-Type': 'application/json', ...(answer.location !== undefined && { Location: answer.location }), [REPLAYED_HEADER]: 'true' },
    body: answer.body ?? '',
  };
}

function logFailure(request: Request, message: string, error: unknown): void {
  apiCallLogger(request.event, correlationIdOf(request.event)).error(message, { error });
}

export function idempotency(
  store: IdempotencyStore,
  auditLog: AuditLog,
  options: IdempotencyOptions = {},
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext> {
  /** The id of the audited resource as the use case named it (a created request's id). */
  const resourceIdOf = (request: Request, statusCode: number) =>
    request.context.call.audit?.event({ outcome: 'SUCCESS', statusCode }).resource.id;

  const store_ = async (request: Request, claim: ClaimedCall, answer: StoredAnswer) => {
    try {
      // The change is committed with its audit event whatever happens here: never turn a
      // success into an error. If the answer cannot be stored, the claim expires and a repeat runs again.
      if (!(await store.complete(claim.keyHash, claim.owner, answer))) logFailure(request, 'idempotency claim lost before completion', 'conditional check failed');
    } catch (error) {
      logFailure(request, 'idempotent answer not stored', error);
    }
  };

  return {
    before: async function claimOrReplay(request: Request) {
      const key = idempotencyKeyOf(headerValues(request.event, IDEMPOTENCY_HEADER));
      if (key === undefined) return;
      const { principal } = request.context.call;
      if (!principal) throw new Error('idempotency runs after authentication');
      const result = await beginIdempotentCall(
        store,
        { userId: principal.userId, method: request.event.httpMethod, path: request.event.path, key },
        jsonBody(request.event),
        options,
      );
      request.context.call.idempotency = result.kind === 'run' ? { claim: result } : { replay: result.answer };
    },

    after: async function storeOrAuditReplay(request: Request) {
      const state = request.context.call.idempotency;
      const response = request.response;
      if (!state || !response) return;
      if (state.replay) {
        const trail = request.context.call.audit;
        if (!trail || trail.recorded) return;
        if (state.replay.resourceId !== undefined) trail.identify(state.replay.resourceId);
        const event = trail.event({
          outcome: state.replay.outcome,
          statusCode: state.replay.statusCode,
          reason: `idempotent replay of the answer to ${state.replay.correlationId}`,
        });
        await auditLog.record(event);
        trail.markRecorded(event);
        return;
      }
      if (state.claim) {
        const location = response.headers?.Location;
        await store_(request, state.claim, {
          statusCode: response.statusCode,
          outcome: 'SUCCESS',
          resourceId: resourceIdOf(request, response.statusCode),
          correlationId: correlationIdOf(request.event),
          body: response.body,
          ...(typeof location === 'string' && { location }),
        });
      }
    },

    onError: async function storeRefusalOrRelease(request: Request) {
      const claim = request.context.call.idempotency?.claim;
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
      await store_(request, claim, {
        statusCode: spec.status,
        outcome: request.error instanceof DomainError && request.error.denied ? 'DENIED' : 'FAILED',
        resourceId: resourceIdOf(request, spec.status),
        correlationId: correlationIdOf(request.event),
        problem: { code: spec.code, title: spec.title, detail: spec.detail, errors: spec.errors },
      });
    },
  };
}
