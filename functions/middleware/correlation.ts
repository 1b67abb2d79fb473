/** Every answer, errors included, carries the request id that its audit event records as correlationId. */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

const fallbackIds = new WeakMap<APIGatewayProxyEvent, string>();

export function correlationIdOf(event: APIGatewayProxyEvent): string {
  const id = event.requestContext?.requestId;
  if (id) return id;
  let fallback = fallbackIds.get(event);
  if (!fallback) fallbackIds.set(event, (fallback = randomUUID()));
  return fallback;
}

export function correlation(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const stamp = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>) => {
    if (!request.response) return;
    request.response.headers = {
      ...request.response.headers,
      'X-Request-Id': correlationIdOf(request.event),
      'Cache-Control': 'no-store',
    };
  };
  return { after: stamp, onError: stamp };
}
