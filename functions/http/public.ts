/** Lambda entry for the public routes: health, the OpenAPI document, and the caller's identity. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { openApiDocument } from '../api/openapi.js';
import { apiOperation } from '../middleware/api-route.js';
import { correlationIdOf } from '../middleware/correlation.js';
import type { PublicDeps } from './dependencies.js';

function json(event: APIGatewayProxyEvent, body: unknown): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': correlationIdOf(event), 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function createHandler(deps: PublicDeps) {
  // Built on first request, not at cold start: health and /v1/me never pay for it.
  let openApi: string | undefined;
  const me = apiOperation(
    {
      operation: 'getMe',
      run: async (_input, { principal }) => ({ body: principal }),
    },
    deps,
  );
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    if (event.resource === '/v1/health') return json(event, { status: 'ok' });
    if (event.resource === '/v1/openapi.json') return { ...json(event, null), body: (openApi ??= JSON.stringify(openApiDocument())) };
    return me(event, context);
  };
}

