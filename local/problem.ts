/**
 * problem+json answers the local HTTP adapter gives itself (404, 405, 413, ...). Same shape
 * and `type` scheme as functions/middleware/problem.ts; kept apart so production code never
 * depends on the local runtime and vice versa.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'urn:evidence-requests:problem:';

export interface LocalProblem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: readonly { path: string; message: string }[];
  readonly headers?: Record<string, string>;
}

export interface LocalResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function problem(spec: LocalProblem, correlationId: string): LocalResponse {
  return {
    statusCode: spec.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...spec.headers },
    body: JSON.stringify({
      type: `${TYPE_BASE}${spec.code}`,
      title: spec.title,
      status: spec.status,
      ...(spec.detail !== undefined && { detail: spec.detail }),
      correlationId,
      ...(spec.errors && { errors: spec.errors }),
    }),
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): LocalResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
