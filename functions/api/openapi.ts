/** The OpenAPI 3.1 document, generated from the route table and the operations' zod schemas. */
import * as z from 'zod/mini';
import { PERMISSIONS, ROLES } from '../core/permissions.js';
import { Health, Problem } from '../schemas/public.js';
import { OPERATION_SCHEMAS, type OperationSchemas } from './operation-schemas.js';
import { isAnonymous, ROUTES, type Route } from './routes.js';

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input',
  '401': 'Missing or invalid access token',
  '403': 'The role may never do this',
  '404': 'No such thing, or it belongs to another tenant',
  '409': 'The state does not allow it',
  '415': 'A body not sent as application/json',
  '422': 'Idempotency key reused with another body',
  '429': 'Rate limited',
};

/** Schemas registered with an id become shared components; everything else is inlined. */
function schemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const generated = JSON.stringify(z.toJSONSchema(schema, { io, target: 'draft-2020-12' })).replaceAll('"#/$defs/', '"#/components/schemas/');
  const { $schema: _dialect, $defs, ...rest } = JSON.parse(generated) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [id, def] of Object.entries($defs ?? {})) components[id] = def;
  // A registered schema at the top comes back as its definition's body: keep it as a reference.
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id === 'string') {
    if (!('$ref' in rest)) components[id] = rest;
    return { $ref: `#/components/schemas/${id}` };
  }
  return rest;
}

let components: Record<string, JsonSchema> = {};

function parameters(schemas: OperationSchemas): unknown[] {
  const result: unknown[] = [];
  for (const [location, schema] of [['path', schemas.path], ['query', schemas.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      result.push({ name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  return result;
}

function whoMay(route: Route): string {
  if (!route.operation) return 'Anyone.';
  if (isAnonymous(route)) return 'Anyone holding the link\'s token, without signing in (any `Authorization` is ignored); at most 10 requests a minute per address.';
  const row = PERMISSIONS[route.operation];
  return `Roles: ${ROLES.filter((role) => row[role] !== 'never').map((role) => `${role} (${row[role]})`).join(', ')}.`;
}

/** The headers every answer carries (API.md 1.1). */
const ANSWER_HEADERS = Object.fromEntries(
  ['X-Request-Id', 'Cache-Control', 'X-Content-Type-Options', 'Strict-Transport-Security'].map((name) => [name, { schema: { type: 'string' } }]),
);

const problem = (description: string) => ({ description, headers: ANSWER_HEADERS, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

function operationOf(route: Route): Record<string, unknown> {
  if (!route.operation) {
    const response = route.path.endsWith('health') ? schemaOf(Health, 'output') : { type: 'object' };
    return { summary: route.summary, operationId: route.path.endsWith('health') ? 'getHealth' : 'getOpenApi', security: [], responses: { '200': { description: 'OK', content: { 'application/json': { schema: response } } } } };
  }
  const schemas: OperationSchemas = OPERATION_SCHEMAS[route.operation];
  const status = String(schemas.status ?? 200);
  const bodyOnly = new Set(['415', '422']);
  const errors = Object.fromEntries(
    Object.entries(ERROR_STATUSES)
      .filter(([code]) => route.method === 'POST' || !bodyOnly.has(code))
      .map(([code, text]) => [code, problem(text)]),
  );
  return {
    summary: route.summary,
    description: whoMay(route) + (route.audit ? ` Audited as \`${route.audit.action}\`.` : ''),
    operationId: route.operation,
    ...(isAnonymous(route) && { security: [] }),
    ...(route.audit && { 'x-audit-action': route.audit.action }),
    parameters: [
      ...parameters(schemas),
      ...(route.method === 'POST' ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 128 } }] : []),
    ],
    ...(schemas.body && { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(schemas.body, 'input') } } } }),
    responses: {
      [status]: { description: 'OK', headers: ANSWER_HEADERS, content: { 'application/json': { schema: schemaOf(schemas.response, 'output') } } },
      ...errors,
    },
  };
}

let served: string | undefined;

/** The document as served: built on its first request, not at cold start (health and /v1/me never pay for it). */
export function openApiJson(): string {
  if (served === undefined) served = JSON.stringify(openApiDocument());
  return served;
}

export function openApiDocument(): Record<string, unknown> {
  components = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  schemaOf(Problem, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Evidence requests API',
      version: '1.0.0',
      description: 'Buyers request compliance evidence from factories; factories fulfil from their evidence library; every call is audited.',
    },
    servers: [{ url: '/' }],
    security: [{ cognito: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Cognito access token (RS256)' } },
    },
  };
}
