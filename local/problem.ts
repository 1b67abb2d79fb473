/** The answers the local HTTP adapter gives itself (404, 405, 413, 429, ...), in the handlers' problem+json shape. */
import { problemResponse, type ProblemSpec } from '../functions/middleware/problem.js';

export interface LocalResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export function problem(spec: ProblemSpec, correlationId: string): LocalResponse & { readonly body: string } {
  const { statusCode, headers, body } = problemResponse(spec, correlationId);
  return { statusCode, headers: headers as Record<string, string>, body };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): LocalResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
