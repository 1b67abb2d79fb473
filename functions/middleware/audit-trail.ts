/**
 * The audit event of every audited call: opens the call's trail once the caller is known, and
 * records the outcome of every call whose use case did not record it in its own transaction
 * (reads, and every refusal). 401s are not audited (no verified actor) and 429s never reach
 * the function. If the event cannot be stored, the caller gets a 5xx rather than an answer
 * the trail does not know about.
 */
import type { Route } from '../api/routes.js';
import { AuditTrail } from '../core/audit-trail.js';
import { AuthenticationError, outcomeOf } from '../core/errors.js';
import type { AuditLog, PersonalDataVault } from '../core/ports.js';
import { apiCallLogger } from '../observability/logger.js';
import { problemFor, problemResponse } from './problem.js';
import { correlationIdOf, header, stateOf, type ApiMiddleware, type ApiRequest } from './state.js';

const MAX_USER_AGENT = 512;
const MAX_ID = 100;

export interface AuditTrailOptions {
  readonly route: Route;
  /** The status a success answers. */
  readonly successStatus: number;
  /** Required when the route is audited. */
  readonly auditLog?: AuditLog | undefined;
  readonly now: () => Date;
  /** Seals personal fields before an event is stored; without it they are stored as they are (tests of the chain alone). */
  readonly vault?: PersonalDataVault | undefined;
}

export function auditTrail({ route, successStatus, auditLog, now, vault }: AuditTrailOptions): ApiMiddleware[] {
  const audit = route.audit;
  if (!audit) return []; // not this route's concern: the chain's order stays the same
  if (!auditLog) throw new Error(`Route ${route.method} ${route.path} is audited: pass an audit log`);

  return [{
    before: async function openTrail(request: ApiRequest) {
      const { event } = request;
      const rawId = audit.idParam ? event.pathParameters?.[audit.idParam] : undefined;
      const state = stateOf(request);
      state.audit = new AuditTrail(
        {
          action: audit.action,
          resourceType: audit.resourceType,
          resourceId: rawId !== undefined && rawId.length > 0 && rawId.length <= MAX_ID ? rawId : undefined,
          correlationId: correlationIdOf(event),
          sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
          userAgent: header(event, 'user-agent')?.slice(0, MAX_USER_AGENT),
          successStatus,
        },
        state.principal,
        now,
        vault && ((event) => vault.seal(event)),
      );
    },
    after: async function recordSuccess(request: ApiRequest) {
      const trail = stateOf(request).audit;
      if (!trail || trail.recorded || !request.response) return;
      await trail.record({ outcome: 'SUCCESS', statusCode: request.response.statusCode }, (event) => auditLog.record(event));
    },
    onError: async function recordRefusal(request: ApiRequest) {
      const trail = stateOf(request).audit;
      if (!trail || trail.recorded || request.error instanceof AuthenticationError) return;
      const statusCode = request.response?.statusCode ?? 500;
      const outcome = statusCode >= 500 ? 'FAILED' : outcomeOf(request.error);
      try {
        const event = await trail.record({ outcome, statusCode, reason: reasonOf(request.error, statusCode) }, (e) => auditLog.record(e));
        if (outcome === 'DENIED') {
          // One line per denial, read by the denial metric filter and Contributor Insights rule (lib/monitoring.ts).
          apiCallLogger(request.event, event.correlationId).info('call denied', { audit: { outcome, action: event.action, actorId: event.actor.userId, statusCode } });
        }
      } catch (auditError) {
        apiCallLogger(request.event, correlationIdOf(request.event)).error('audit event not stored', { error: auditError });
        if (statusCode < 500) request.response = problemResponse(problemFor(auditError), correlationIdOf(request.event));
      }
    },
  }];
}

function reasonOf(error: unknown, statusCode: number): string {
  if (statusCode >= 500) return 'internal error';
  return error instanceof Error ? error.message.slice(0, 1000) : 'refused';
}
