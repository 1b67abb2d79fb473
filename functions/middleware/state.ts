/**
 * What the middlewares learn about one call, typed: each value is set by the middleware that
 * owns it and read by those after it. Reading a value before its middleware ran is a wiring
 * bug, reported as such, never an `undefined` to assert away.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../core/audit-trail.js';
import type { ClaimedCall } from '../core/idempotency.js';
import type { Principal } from '../core/principal.js';

export type ApiRequest = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;
export type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/** The parsed input of an operation: path, query and body after their schemas. */
export interface ParsedInput {
  readonly path: unknown;
  readonly query: unknown;
  readonly body: unknown;
  /** The body as JSON, before its schema: what an idempotency key's "same body" compares. */
  readonly json: unknown;
}

function required<T>(value: T | undefined, what: string, by: string): T {
  if (value === undefined) throw new Error(`${what} is read before the ${by} middleware set it`);
  return value;
}

export class CallState {
  #principal: Principal | undefined;
  #audit: AuditTrail | undefined;
  #input: ParsedInput | undefined;
  /** Set when this call holds an idempotency key and must store its answer. */
  claim: ClaimedCall | undefined;

  get principal(): Principal {
    return required(this.#principal, 'The principal', 'authenticate');
  }
  set principal(principal: Principal) {
    this.#principal = principal;
  }

  /** The audit trail of an audited route; undefined for unaudited ones. */
  get audit(): AuditTrail | undefined {
    return this.#audit;
  }
  set audit(trail: AuditTrail | undefined) {
    this.#audit = trail;
  }

  /** The audit trail a use case records into; only audited operations have one. */
  get trail(): AuditTrail {
    return required(this.#audit, 'The audit trail', 'audit trail');
  }

  get input(): ParsedInput {
    return required(this.#input, 'The input', 'parse input');
  }
  set input(input: ParsedInput) {
    this.#input = input;
  }
}

/** Keyed by the invocation's event, the one object the middlewares and the handler all hold. */
const states = new WeakMap<APIGatewayProxyEvent, CallState>();

/** Gives the invocation a fresh state (the first middleware calls it: an event object may be invoked twice). */
export function beginCall(event: APIGatewayProxyEvent): CallState {
  const state = new CallState();
  states.set(event, state);
  return state;
}

/** The call state of an invocation. */
export function stateOf(request: ApiRequest | APIGatewayProxyEvent): CallState {
  const event = 'event' in request && 'context' in request ? request.event : (request as APIGatewayProxyEvent);
  return states.get(event) ?? beginCall(event);
}

const fallbackIds = new WeakMap<APIGatewayProxyEvent, string>();

/** API Gateway's request id: every answer carries it, and the call's audit event names it. */
export function correlationIdOf(event: APIGatewayProxyEvent): string {
  const id = event.requestContext?.requestId;
  if (id) return id;
  let fallback = fallbackIds.get(event);
  if (!fallback) fallbackIds.set(event, (fallback = randomUUID()));
  return fallback;
}

/**
 * Every value of a header, whatever its casing. API Gateway keeps repeats in
 * multiValueHeaders; `headers` holds only the last one.
 */
export function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  const multi = event.multiValueHeaders;
  if (multi && Object.keys(multi).length > 0) {
    for (const [key, list] of Object.entries(multi)) if (key.toLowerCase() === wanted) values.push(...(list ?? []));
    return values;
  }
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted && value !== undefined) values.push(value);
  return values;
}

/** The one value of a header (the last, as API Gateway's `headers` keeps it). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  return headerValues(event, name).at(-1);
}
