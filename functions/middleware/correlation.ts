/**
 * Every answer, errors included, carries the request id its audit event records as
 * correlationId, and the headers API.md 1.1 requires of every API answer.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { STAGE_VARIABLES } from '../config/environment.js';
import { beginCall, correlationIdOf, type ApiMiddleware, type ApiRequest } from './state.js';

/** Answer headers a browser script on an allowed origin may read. */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Location', 'Retry-After'] as const;

/**
 * CORS headers for a call from a browser origin the stage allows (the web console on
 * CloudFront calling API Gateway): the origin echoed, never `*`, and `Vary: Origin` so no
 * cache mixes origins. Preflights are API Gateway's (lib/api.ts); these go on the answers.
 */
export function corsHeaders(event: Pick<APIGatewayProxyEvent, 'headers' | 'stageVariables'>): Record<string, string> {
  const allowed = event.stageVariables?.[STAGE_VARIABLES.allowedOrigins]?.split(',').filter(Boolean) ?? [];
  if (allowed.length === 0) return {};
  const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  if (!origin || !allowed.includes(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '), Vary: 'Origin' };
}

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
    if (request.response) {
      const answer = withAnswerHeaders(request.response, correlationIdOf(request.event));
      request.response = { ...answer, headers: { ...answer.headers, ...corsHeaders(request.event) } };
    }
  };
  return {
    before: async function startCall(request: ApiRequest) {
      beginCall(request.event);
    },
    after: stamp,
    onError: stamp,
  };
}
