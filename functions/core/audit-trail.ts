/**
 * Builds the one audit event of an API call. A state change puts its event in the same
 * transaction as the change and marks it recorded; otherwise the audit middleware records
 * the call's outcome when the answer is known.
 */
import type { AuditAction, AuditEvent, Outcome, ResourceType } from '../schemas/audit.js';
import { newEventId } from './ids.js';
import type { Principal } from './principal.js';

export interface CallContext {
  readonly action: AuditAction;
  readonly resourceType: ResourceType;
  readonly resourceId?: string | undefined;
  readonly correlationId: string;
  readonly sourceIp?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The status a success answers (the operation's, from its schemas): a committed change records it. */
  readonly successStatus: number;
}

export interface Outcomes {
  readonly outcome: Outcome;
  readonly statusCode: number;
  readonly reason?: string | undefined;
  readonly changes?: Record<string, unknown> | undefined;
}

export class AuditTrail {
  #resourceId: string | undefined;
  #recorded = false;
  #details: Record<string, unknown> | undefined;

  constructor(
    private readonly call: CallContext,
    private readonly principal: Principal,
    private readonly clock: () => Date = () => new Date(),
    /** Seals the event's personal fields before it is stored (the personal-data vault). */
    private readonly seal: (event: AuditEvent) => Promise<AuditEvent> = async (event) => event,
  ) {
    this.#resourceId = call.resourceId;
  }

  get recorded(): boolean {
    return this.#recorded;
  }

  /** The audited resource's id, once known. */
  get resourceId(): string | undefined {
    return this.#resourceId;
  }

  /** Names the resource once it exists (a created request's id). */
  identify(resourceId: string): void {
    this.#resourceId = resourceId;
  }

  /** Facts of the call every outcome's event carries in `changes` (the version a download asked for). */
  describe(details: Record<string, unknown>): void {
    this.#details = { ...this.#details, ...details };
  }

  event(outcomes: Outcomes): AuditEvent {
    const now = this.clock();
    const changes = this.#details || outcomes.changes ? { ...this.#details, ...outcomes.changes } : undefined;
    const { userId, role, orgId, username } = this.principal;
    return {
      eventId: newEventId(now.getTime()),
      occurredAt: now.toISOString(),
      action: this.call.action,
      outcome: outcomes.outcome,
      actor: { userId, role, ...(orgId && { orgId }), username },
      resource: { type: this.call.resourceType, ...(this.#resourceId && { id: this.#resourceId }) },
      statusCode: outcomes.statusCode,
      ...(outcomes.reason && { reason: outcomes.reason }),
      correlationId: this.call.correlationId,
      ...(this.call.sourceIp && { sourceIp: this.call.sourceIp }),
      ...(this.call.userAgent && { userAgent: this.call.userAgent }),
      ...(changes && { changes }),
    };
  }

  /** Builds and stores an event through `write`, and marks the call recorded. */
  async record(outcomes: Outcomes, write: (event: AuditEvent) => Promise<void>): Promise<AuditEvent> {
    const event = this.event(outcomes);
    await write(await this.seal(event));
    this.#recorded = true;
    return event;
  }

  /** The success event of a change, handed to `write`, which stores it in the change's transaction. */
  async commit(changes: Record<string, unknown>, write: (event: AuditEvent) => Promise<void>): Promise<void> {
    await this.record({ outcome: 'SUCCESS', statusCode: this.call.successStatus, changes }, write);
  }
}

/** Parties see the events of their own two organisations, without network details. */
export function redactForParty(event: AuditEvent): AuditEvent {
  const { sourceIp: _ip, userAgent: _agent, ...rest } = event;
  return rest;
}

/** The actor of events that no user caused (the file verifier). */
export const SYSTEM_ACTOR = { userId: 'system', role: 'system', username: 'system' } as const;

/** The audit event of a system action (no caller, no network details). */
export function systemEvent(event: Pick<AuditEvent, 'action' | 'outcome' | 'resource' | 'statusCode' | 'correlationId'> & {
  readonly reason?: string | undefined;
  readonly changes?: Record<string, unknown>;
  readonly now: Date;
}): AuditEvent {
  return {
    eventId: newEventId(event.now.getTime()),
    occurredAt: event.now.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actor: { ...SYSTEM_ACTOR },
    resource: event.resource,
    statusCode: event.statusCode,
    ...(event.reason && { reason: event.reason }),
    correlationId: event.correlationId,
    ...(event.changes && { changes: event.changes }),
  };
}
