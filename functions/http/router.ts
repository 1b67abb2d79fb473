/** Dispatches an API Gateway event to the operation its resource path and method name. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ROUTES, type RouteGroup } from '../api/routes.js';
import type { Operation } from '../core/permissions.js';
import type { ApiHandler } from '../middleware/api-route.js';
import { correlationIdOf } from '../middleware/correlation.js';
import { problemResponse } from '../middleware/problem.js';

export function routeGroup(group: RouteGroup, operations: Partial<Record<Operation, ApiHandler>>): ApiHandler {
  const table = new Map<string, ApiHandler>();
  for (const route of ROUTES.filter((r) => r.group === group && r.operation)) {
    const handler = operations[route.operation!];
    if (!handler) throw new Error(`Route group ${group} has no handler for ${route.operation}`);
    table.set(`${route.method} ${route.path}`, handler);
  }
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const handler = table.get(`${event.httpMethod} ${event.resource}`);
    if (handler) return handler(event, context);
    const response = problemResponse({ status: 404, code: 'no-route', title: 'Not found', detail: `No route ${event.httpMethod} ${event.path}` }, correlationIdOf(event));
    return { ...response, headers: { ...response.headers, 'X-Request-Id': correlationIdOf(event) } };
  };
}
