/**
 * The typed API client: openapi-fetch over the types generated from the served OpenAPI
 * document (schema.gen.ts), with the access token added to every call and every problem
 * turned into an ApiProblem that carries its message and request id.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';
import type { ConsoleConfig } from '../config';
import { accessToken, startSignIn } from '../auth/session';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Request = Schemas['Request'];
export type RequestItem = Request['items'][number];
export type Evidence = Schemas['Evidence'];
export type EvidenceVersion = Evidence['versions'][number];
export type AuditEvent = Schemas['AuditEvent'];
export type Me = paths['/v1/me']['get']['responses'][200]['content']['application/json'];

/** A refused or failed call, as the console shows it: the problem's message and the request id. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly requestId: string | undefined,
    readonly code?: string,
    readonly errors: readonly { path: string; message: string }[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export type ApiClient = ReturnType<typeof createClient<paths>>;

export function createApiClient(config: ConsoleConfig): ApiClient {
  const client = createClient<paths>({ baseUrl: config.apiBase });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await accessToken(config);
      if (!token) return startSignIn(config);
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/**
 * The data of a successful call, or throws ApiProblem. Accepts what openapi-fetch answers
 * (`{data, error, response}`), so each call site stays typed by the generated paths.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw new ApiProblem(0, 'The API could not be reached', error instanceof Error ? error.message : String(error), undefined);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  throw problemOf(response, error);
}

export function problemOf(response: Response, body: unknown): ApiProblem {
  const requestId = response.headers.get('X-Request-Id') ?? undefined;
  const problem = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
  return new ApiProblem(
    response.status,
    problem.title ?? `${response.status} ${response.statusText}`,
    problem.detail,
    problem.correlationId ?? requestId,
    problem.code,
    problem.errors ?? [],
  );
}
