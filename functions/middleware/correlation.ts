/**
 * Every answer, errors included, carries the request id its audit event records as
 * correlationId, and the headers API.md 1.1 requires of every API answer.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beginCall, correlationIdOf, type ApiMiddleware, type ApiRequest } from './state.js';

/** The headers of every API answer. */
export function answerHeaders(correlationId: string): Record<string, string> {
  return {
    'X-Request-Id': correlationId,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Strict-Transport-Security': 'max-age=31536000',
  };
}

export function withAnswerHeaders(response: APIGatewayProxyResult, correlationId: string): APIGatewayProxyResult {
  return { ...response, headers: { ...response.headers, ...answerHeaders(correlationId) } };
}

export function correlation(): ApiMiddleware {
  const stamp = async (request: ApiRequest) => {
    if (request.response) request.response = withAnswerHeaders(request.response, correlationIdOf(request.event));
  };
  return {
    before: async function startCall(request: ApiRequest) {
      beginCall(request.event);
    },
    after: stamp,
    onError: stamp,
  };
}
