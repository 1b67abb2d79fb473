/** Dispatches an API Gateway event to the handler of its route (resource path and method) in one route group. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ROUTES, type Route, type RouteGroup } from '../api/routes.js';
import { NoRouteError } from '../core/errors.js';
import type { Operation } from '../core/permissions.js';
import type { ApiHandler } from '../middleware/api-operation.js';
import { withAnswerHeaders } from '../middleware/correlation.js';
import { problemFor, problemResponse } from '../middleware/problem.js';
import { correlationIdOf } from '../middleware/state.js';

/** A route's handler is named by its operation, or by its path when it has none (health, the OpenAPI document). */
type HandlerName = Operation | Route['path'];

export function routeGroup(group: RouteGroup, handlers: Partial<Record<HandlerName, ApiHandler>>): ApiHandler {
  const table = new Map<string, ApiHandler>();
  for (const route of ROUTES.filter((r) => r.group === group)) {
    const handler = handlers[route.operation ?? route.path];
    if (!handler) throw new Error(`Route group ${group} has no handler for ${route.operation ?? route.path}`);
    table.set(`${route.method} ${route.path}`, handler);
  }
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const handler = table.get(`${event.httpMethod} ${event.resource}`);
    if (handler) return handler(event, context);
    const id = correlationIdOf(event);
    return withAnswerHeaders(problemResponse(problemFor(new NoRouteError(`No route ${event.httpMethod} ${event.path}`)), id), id);
  };
}
