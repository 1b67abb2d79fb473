/**
 * The middy chain every API operation runs through, in one fixed order:
 *   correlation id -> authenticate -> audit trail -> parse input -> idempotency -> use case,
 * with problem+json used last so that its onError runs first and every later onError (the
 * idempotency record, the audit event, the headers) sees the answer. The handler parses
 * nothing and catches nothing; it runs the use case and shapes its reply.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { OPERATION_SCHEMAS, type InputOf, type OperationSchemas, type ResponseOf } from '../api/operation-schemas.js';
import type { AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { findRoute, isAnonymous } from '../api/routes.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { Operation } from '../core/permissions.js';
import type { AuditLog, PersonalDataVault } from '../core/ports.js';
import type { UseCaseContext } from '../core/use-cases/context.js';
import { auditTrail } from './audit-trail.js';
import { anonymousCaller, authenticate } from './authenticate.js';
import { correlation } from './correlation.js';
import type { CursorSealer } from './cursors.js';
import { idempotency } from './idempotency.js';
import { parseInput } from './parse-input.js';
import { problemErrors } from './problem.js';
import type { SessionFreshness } from './session-freshness.js';
import { stateOf, type CallState } from './state.js';

export interface ApiDeps {
  readonly verifier: AccessTokenVerifier;
  /** Refuses tokens issued before a change of their user or organisation (within its cache's age). */
  readonly sessions?: SessionFreshness;
  /** Required when the operation is audited. */
  readonly auditLog?: AuditLog;
  /** Seals the personal fields of every audit event before it is stored. */
  readonly vault?: PersonalDataVault;
  /** Required when the operation is a POST: keeps its `Idempotency-Key` answers. */
  readonly idempotency?: IdempotencyStore;
  /** Required when the operation pages. */
  readonly cursors?: CursorSealer;
  readonly now?: () => Date;
}

export interface Reply<R> {
  readonly body: R;
  readonly headers?: Record<string, string>;
}

export interface OperationSpec<O extends Operation> {
  readonly operation: O;
  readonly run: (input: InputOf<O>, ctx: UseCaseContext) => Promise<Reply<ResponseOf<O>>>;
}

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function useCaseContext(state: CallState, now: () => Date): UseCaseContext {
  return {
    principal: state.principal,
    get audit() {
      return state.trail;
    },
    now,
  };
}

export function apiOperation<O extends Operation>(spec: OperationSpec<O>, deps: ApiDeps): ApiHandler {
  const { operation } = spec;
  const route = findRoute(operation);
  const schemas: OperationSchemas = OPERATION_SCHEMAS[operation];
  const successStatus = schemas.status ?? 200;
  const now = deps.now ?? (() => new Date());

  /** Runs the use case and shapes its reply; a page's position leaves sealed for this caller and query. */
  async function runUseCase(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const state = stateOf(event);
    const { input } = state;
    const reply = await spec.run(input as unknown as InputOf<O>, useCaseContext(state, now));
    let body: unknown = reply.body;
    const position = (body as { nextCursor?: unknown }).nextCursor;
    if (typeof position === 'string') {
      if (!deps.cursors) throw new Error(`Operation ${operation} pages: pass a cursor sealer`);
      const binding = { userId: state.principal.userId, operation, path: input.path, query: input.query as Record<string, unknown> };
      body = { ...(body as object), nextCursor: await deps.cursors.seal(position, binding) };
    }
    return { statusCode: successStatus, headers: { 'Content-Type': 'application/json', ...reply.headers }, body: JSON.stringify(body) };
  }

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(correlation())
    .use(isAnonymous(route) ? anonymousCaller() : authenticate(deps.verifier, deps.sessions))
    .use(auditTrail({ route, successStatus, auditLog: deps.auditLog, now, vault: deps.vault }))
    .use(parseInput({ operation, schemas, cursors: deps.cursors }))
    .use(idempotency({ route, store: deps.idempotency, auditLog: deps.auditLog, clock: now }))
    .use(problemErrors(operation))
    .handler(runUseCase);
}
