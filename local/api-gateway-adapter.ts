/**
 * Pure pieces of the local HTTP adapter: route matching as API Gateway does it, the REST
 * API (v1) proxy event a Lambda receives, and a plausible Lambda context.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Route } from '../functions/api/routes.js';

export const LOCAL_STAGE = 'local';
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'eu-west-1';

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-path' };

/**
 * Finds the route for `method` and a raw (still percent-encoded) path. A literal segment
 * beats a `{param}` one, as in API Gateway. Parameter values are percent-decoded.
 */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch {
  const segments = rawPath.split('/');
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'bad-path' };
  }
  const candidates: { route: Route; params: Record<string, string>; literals: number }[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (const [i, part] of pattern.entries()) {
      const value = decoded[i]!;
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (param) {
        if (value === '') ok = false;
        else params[param] = value;
      } else if (part === segments[i]) {
        literals += 1;
      } else {
        ok = false;
      }
      if (!ok) break;
    }
    if (ok) candidates.push({ route, params, literals });
  }
  if (candidates.length === 0) return { kind: 'not-found' };
  // The most specific resource wins; every method it defines is "allowed" for it.
  const best = Math.max(...candidates.map((c) => c.literals));
  const resource = candidates.filter((c) => c.literals === best);
  const hit = resource.find((c) => c.route.method === method);
  if (hit) return { kind: 'route', route: hit.route, pathParameters: hit.params };
  return { kind: 'method-not-allowed', allow: [...new Set(resource.map((c) => c.route.method))].sort() };
}

export interface RawRequest {
  readonly method: string;
  /** Path plus query, as received (`/v1/requests?limit=5`). */
  readonly url: string;
  /** Node's `rawHeaders`: name, value, name, value, ... with the client's casing. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly host: string;
}

export interface ProxyEventInput {
  readonly request: RawRequest;
  readonly route: Route;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly now: Date;
}

export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** The event API Gateway's REST API proxy integration sends (no authorizer: the handlers verify tokens). */
export function toProxyEvent({ request, route, pathParameters, requestId, now }: ProxyEventInput): APIGatewayProxyEvent {
  const { path, query } = splitUrl(request.url);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // Every value as sent, repeats included (Node's rawHeaders keeps them; req.headers joins or drops them):
  // the handlers refuse a repeated Authorization or Idempotency-Key from multiValueHeaders.
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  // Prototype-less: a parameter named `__proto__` or `constructor` is data, not a lookup.
  const query1: Record<string, string> = Object.create(null);
  const queryN: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(query)) {
    query1[name] = value;
    (queryN[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query1).length > 0;
  const userAgent = headers[Object.keys(headers).find((h) => h.toLowerCase() === 'user-agent') ?? ''] ?? null;

  return {
    resource: route.path,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query1 : null,
    multiValueQueryStringParameters: hasQuery ? queryN : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    // A body that is not valid UTF-8 travels base64-encoded, as API Gateway passes binary
    // payloads, so the handler sees the bytes as sent (and refuses them) instead of U+FFFD.
    body: request.body.length === 0 ? null : validUtf8(request.body) ? request.body.toString('utf8') : request.body.toString('base64'),
    isBase64Encoded: request.body.length > 0 && !validUtf8(request.body),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: null,
      domainName: request.host,
      domainPrefix: request.host.split('.')[0] ?? request.host,
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${LOCAL_STAGE}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: route.path,
      stage: LOCAL_STAGE,
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `22/Nov/2026:18:20:00 +0000`, the format of requestContext.requestTime. */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

export function lambdaContext(functionName: string, timeoutMs: number, start = Date.now()): Context {
  const deadline = start + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Headers of a Lambda result, as API Gateway merges `headers` and `multiValueHeaders`. */
export function resultHeaders(result: APIGatewayProxyResult): Record<string, string | string[]> {
  const merged: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    merged[name] = values.map(String);
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!(name in merged)) merged[name] = String(value);
  }
  return merged;
}

/** True when the value has the shape API Gateway requires of a proxy integration's result. */
export function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode, body } = value as Record<string, unknown>;
  return Number.isInteger(statusCode) && (statusCode as number) >= 100 && (statusCode as number) <= 599 && (body === undefined || typeof body === 'string');
}
