/** The public routes: health, the OpenAPI document, and the caller's identity. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { openApiJson } from '../api/openapi.js';
import type { PublicDeps } from '../composition/dependencies.js';
import { signedIn } from '../core/access.js';
import { apiOperation } from '../middleware/api-operation.js';
import { withAnswerHeaders } from '../middleware/correlation.js';
import { correlationIdOf } from '../middleware/state.js';
import { routeGroup } from './route-group.js';

function json(event: APIGatewayProxyEvent, body: string): APIGatewayProxyResult {
  return withAnswerHeaders({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body }, correlationIdOf(event));
}

export function createHandler(deps: PublicDeps) {
  return routeGroup('public', {
    '/v1/health': async (event) => json(event, JSON.stringify({ status: 'ok' })),
    '/v1/openapi.json': async (event) => json(event, openApiJson()),
    getMe: apiOperation({ operation: 'getMe', run: async (_input, { principal }) => ({ body: signedIn(principal) }) }, deps),
  });
}
