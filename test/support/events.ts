/** API Gateway proxy events for unit tests, built by the local adapter from raw request parts (the event factory every test shares). */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROUTES } from '../../functions/api/routes.js';
import type { Operation } from '../../functions/core/permissions.js';
import { matchRoute, toProxyEvent } from '../../local/api-gateway-adapter.js';

export interface EventParts {
  readonly method: string;
  /** Path and query, percent-encoded as on the wire. */
  readonly url: string;
  /** Name, value, name, value... as Node's rawHeaders. */
  readonly headers?: readonly string[];
  readonly body?: string | Buffer;
  readonly requestId?: string;
}

export function apiEvent(parts: EventParts): APIGatewayProxyEvent {
  const match = matchRoute(ROUTES, parts.method, parts.url.split('?')[0]!);
  if (match.kind !== 'route') throw new Error(`no route ${parts.method} ${parts.url}`);
  return toProxyEvent({
    request: {
      method: parts.method,
      url: parts.url,
      rawHeaders: ['Host', '127.0.0.1', ...(parts.headers ?? [])],
      body: Buffer.isBuffer(parts.body) ? parts.body : Buffer.from(parts.body ?? '', 'utf8'),
      sourceIp: '198.51.100.7',
      host: '127.0.0.1',
    },
    route: match.route,
    pathParameters: match.pathParameters,
    requestId: parts.requestId ?? `req-${Math.random().toString(36).slice(2)}`,
    now: new Date(),
  });
}

export function routeOf(operation: Operation) {
  const route = ROUTES.find((r) => r.operation === operation);
  if (!route) throw new Error(`no route for ${operation}`);
  return route;
}
