/**
 * The middy chain every API operation runs through:
 *   correlation id -> audit -> problem+json errors -> authenticate -> role gate -> parse input
 *   -> idempotency key (POST only) -> use case (or the replay of a key's first answer).
 * The handler parses nothing and catches nothing; errors become problem+json here, and
 * every audited call leaves exactly one audit event.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { OPERATION_SCHEMAS, type InputOf, type OperationSchemas, type ResponseOf } from '../api/operation-schemas.js';
import { InvalidTokenError, bearerToken, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { findRoute } from '../api/routes.js';
import { authorize } from '../core/access.js';
import { AuditTrail } from '../core/audit-trail.js';
import { ValidationError } from '../core/errors.js';
import { isRole, type Operation } from '../core/permissions.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { AuditLog } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import type { UseCaseContext } from '../core/use-cases/context.js';
import { MissingCredentialsError, problemErrors } from './problem.js';
import { fieldErrors, type InputPart } from './zod-issues.js';
import { auditCalls } from './audit-calls.js';
import { correlation, correlationIdOf } from './correlation.js';
import { idempotency, replayedResponse, type IdempotencyState } from './idempotency.js';

export interface ApiDeps {
  readonly verifier: AccessTokenVerifier;
  /** Required when the operation is audited. */
  readonly auditLog?: AuditLog;
  /** Required when the operation is a POST: keeps its `Idempotency-Key` answers. */
  readonly idempotency?: IdempotencyStore;
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

/** What the middlewares learn about one invocation, kept on the Lambda context. */
export interface CallState {
  principal?: Principal;
  audit?: AuditTrail;
  input?: unknown;
  idempotency?: IdempotencyState;
}

export type CallContext = Context & { call: CallState };

const MAX_USER_AGENT = 512;

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted && value !== undefined) return value;
  return undefined;
}

function principalOf(claims: { sub: string; username: string; groups: readonly string[]; orgId?: string }): Principal {
  const role = claims.groups.find(isRole);
  if (!role) throw new InvalidTokenError('The token carries no role group');
  return { userId: claims.sub, username: claims.username, role, ...(claims.orgId && { orgId: claims.orgId }) };
}

export async function authenticate(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): Promise<Principal> {
  const token = bearerToken(header(event, 'authorization'));
  if (token === undefined) throw new MissingCredentialsError('Send an access token as `Authorization: Bearer <token>`');
  return principalOf(await verifier.verify(token));
}

/** Operations without query parameters refuse any. */
const NoQuery = z.strictObject({});

function parsePart(part: InputPart, schema: z.ZodMiniType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ValidationError(fieldErrors(part, result.error.issues));
  return result.data;
}

function parseBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: '', message: 'is not valid JSON' }]);
  }
}

function parseQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const repeated = Object.entries(event.multiValueQueryStringParameters ?? {}).filter(([, values]) => (values?.length ?? 0) > 1);
  if (repeated.length > 0) {
    throw new ValidationError(repeated.map(([name]) => ({ path: `query.${name}`, message: 'is given more than once' })));
  }
  return Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

export function apiOperation<O extends Operation>(spec: OperationSpec<O>, deps: ApiDeps): ApiHandler {
  const route = findRoute(spec.operation);
  const schemas: OperationSchemas = OPERATION_SCHEMAS[spec.operation];
  if (route.audit && !deps.auditLog) throw new Error(`Operation ${spec.operation} is audited: pass an audit log`);
  if (route.method === 'POST' && !(deps.idempotency && deps.auditLog)) {
    throw new Error(`Operation ${spec.operation} is a POST: pass an idempotency store and an audit log`);
  }
  const now = deps.now ?? (() => new Date());

  const prepare: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext> = {
    before: async (request) => {
      const { event, context } = request;
      const principal = await authenticate(event, deps.verifier);
      context.call.principal = principal;
      if (route.audit) {
        const rawId = route.audit.idParam ? event.pathParameters?.[route.audit.idParam] : undefined;
        context.call.audit = new AuditTrail(
          {
            action: route.audit.action,
            resourceType: route.audit.resourceType,
            resourceId: rawId !== undefined && rawId.length > 0 && rawId.length <= 100 ? rawId : undefined,
            correlationId: correlationIdOf(event),
            sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
            userAgent: header(event, 'user-agent')?.slice(0, MAX_USER_AGENT),
          },
          principal,
          now,
        );
      }
      authorize(principal, spec.operation);
      context.call.input = {
        path: parsePart('path', schemas.path, event.pathParameters ?? {}),
        query: parsePart('query', schemas.query ?? NoQuery, parseQuery(event)),
        body: schemas.body ? parsePart('body', schemas.body, parseBody(event)) : undefined,
      };
    },
  };

  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, CallContext>().use(correlation());
  if (route.audit) chain.use(auditCalls(deps.auditLog!));
  chain.use(problemErrors(spec.operation)).use(prepare);
  if (route.method === 'POST') chain.use(idempotency(deps.idempotency!, deps.auditLog!, { clock: now }));
  const handler = chain
    .handler(async (event, context) => {
      const { principal, audit, input, idempotency: idempotent } = context.call;
      if (idempotent?.replay) return replayedResponse(idempotent.replay, correlationIdOf(event));
      const reply = await spec.run(input as InputOf<O>, { principal: principal!, audit: audit!, now });
      return {
        statusCode: schemas.status ?? 200,
        headers: { 'Content-Type': 'application/json', ...reply.headers },
        body: JSON.stringify(reply.body),
      };
    });
  return (event, context) => handler(event, Object.assign(context, { call: {} }) as CallContext);
}

