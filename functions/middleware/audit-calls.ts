/**
 * Records the audit event of every audited call whose use case did not record it in its own
 * transaction: reads, and every refusal. 401s are not audited (no verified actor) and 429s
 * never reach the function. If the event cannot be stored, the caller gets a 5xx rather than
 * an answer the trail does not know about.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Outcome } from '../schemas/audit.js';
import { DomainError } from '../core/errors.js';
import type { AuditLog } from '../core/ports.js';
import type { CallContext } from './api-route.js';
import { problemFor, problemResponse } from './problem.js';
import { correlationIdOf } from './correlation.js';
import { apiCallLogger } from '../observability/logger.js';

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext>;

function outcomeOf(statusCode: number, error: unknown): Outcome {
  if (statusCode < 400) return 'SUCCESS';
  return error instanceof DomainError && error.denied ? 'DENIED' : 'FAILED';
}

export function auditCalls(auditLog: AuditLog): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext> {
  return {
    after: async function auditSuccess(request: Request) {
      const trail = request.context.call.audit;
      if (!trail || trail.recorded || !request.response) return;
      const event = trail.event({ outcome: 'SUCCESS', statusCode: request.response.statusCode });
      await auditLog.record(event);
      trail.markRecorded(event);
    },
    onError: async function auditRefusal(request: Request) {
      const trail = request.context.call.audit;
      const statusCode = request.response?.statusCode ?? 500;
      if (!trail || trail.recorded || statusCode === 401) return;
      const outcome = outcomeOf(statusCode, request.error);
      const event = trail.event({ outcome, statusCode, reason: reasonOf(request.error, statusCode) });
      try {
        await auditLog.record(event);
        trail.markRecorded(event);
        if (outcome === 'DENIED') {
          // One line per denial, read by the denial metric filter and Contributor Insights rule (lib/monitoring.ts).
          apiCallLogger(request.event, event.correlationId).info('call denied', { audit: { outcome, action: event.action, actorId: event.actor.userId, statusCode } });
        }
      } catch (auditError) {
        apiCallLogger(request.event, event.correlationId).error('audit event not stored', { error: auditError });
        if (statusCode < 500) request.response = problemResponse(problemFor(auditError), correlationIdOf(request.event));
      }
    },
  };
}

function reasonOf(error: unknown, statusCode: number): string {
  if (statusCode >= 500) return 'internal error';
  return error instanceof Error ? error.message.slice(0, 1000) : 'refused';
}
