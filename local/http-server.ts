/**
 * The local stand-in for API Gateway: reads an HTTP request, answers `/_local/*` (token
 * issuer), 404, 405, 413 and 429 itself, and otherwise builds the REST API proxy event and
 * calls the route group's Lambda handler. It never checks tokens: the handlers do, as in AWS.
 * What it answers itself carries the headers API Gateway's own answers carry (lib/api.ts),
 * requests Node's parser refuses (431, malformed framing) included.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Route, RouteGroup } from '../functions/api/routes.js';
import { isProxyResult, lambdaContext, matchRoute, resultHeaders, splitUrl, toProxyEvent } from './api-gateway-adapter.js';
import { json, problem, type LocalResponse } from './problem.js';
import { ApiRateLimiter, TokenBuckets } from './rate-limiter.js';
import { SHARED_LINK_RATE_PER_MINUTE, SHARED_PATH_PREFIX, STAGE_DEFAULTS, type RateLimits } from '../lib/stages.js';
import type { MailOutbox } from './mail-outbox.js';
import type { TokenIssuer } from './token-issuer.js';
import { LocalAuthorizationServer } from './oauth-server.js';
import type { ConsoleSite } from './console-site.js';
import { invocationLogger, type InvocationKeys } from '../functions/observability/logger.js';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What the server needs once the runtime is ready; until then it answers 503. */
export interface LocalApp {
  readonly issuer: TokenIssuer;
  readonly routes: readonly Route[];
  readonly handlers: Readonly<Record<RouteGroup, LambdaHandler>>;
  /** Managed login's endpoints (`/oauth2/*`, `/login`, `/logout`); absent, they answer 404. */
  readonly oauth?: LocalAuthorizationServer;
  /** The web console at `/` and every path outside the API's; absent, they answer 404. */
  readonly console?: ConsoleSite;
  /** The local mail folder, listed by `GET /_local/mail`. */
  readonly mailbox?: Pick<MailOutbox, 'list'>;
}

export interface LocalHttpServerOptions {
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** API Gateway's integration timeout. @default 29 s */
  readonly timeoutMs?: number;
  /** Where handler failures are reported. @default the service's logger, one JSON line each */
  readonly logError?: (message: string, error: unknown, keys: InvocationKeys) => void;
  /** Per-user and per-address limits (429 + Retry-After), as WAF applies them; `false` turns them off. @default the dev stage's (lib/stages.ts) */
  readonly rateLimits?: RateLimits | false;
  /**
   * Handler invocations in flight at once, as a Lambda concurrency limit: one machine and one
   * DynamoDB Local serve them all. A call waits for a slot as a burst waits for Lambda to scale
   * out, within the integration timeout: the wait counts against it, and a call that found no
   * slot within `concurrencyWaitMs` answers 429 with Retry-After, as a throttled API does.
   * @default 32 in flight, a wait as long as the integration timeout
   */
  readonly maxConcurrency?: number;
  readonly concurrencyWaitMs?: number;
  /** The per-address limit of `GET /v1/shared/*`; `false` turns it off (handler tests call it often). @default on */
  readonly sharedLinkLimit?: false;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const REQUEST_ID_HEADER = 'X-Request-Id';
/** On every answer the server gives itself; an answer may set its own Cache-Control (the JWKS does). */
const OWN_ANSWER_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

export interface LocalHttpServer {
  readonly server: Server;
  /** Starts serving (before this, every call answers 503). */
  ready(app: LocalApp): void;
}

export function createLocalHttpServer(options: LocalHttpServerOptions = {}): LocalHttpServer {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const logError = options.logError ?? ((message, error, keys) => invocationLogger(keys).error(message, { error }));
  let app: LocalApp | undefined;
  const limiter = options.rateLimits === false ? undefined : new ApiRateLimiter(options.rateLimits ?? STAGE_DEFAULTS.dev.rateLimits);
  // Share links (no sign-in): their own per-address limit, as WAF's SharedLinksPerAddress rule (lib/api.ts).
  const sharedLimiter = options.sharedLinkLimit === false ? undefined : new TokenBuckets({ ratePerSecond: SHARED_LINK_RATE_PER_MINUTE / 60, burst: SHARED_LINK_RATE_PER_MINUTE });
  const slots = new ConcurrencySlots(options.maxConcurrency ?? 32);
  const concurrencyWaitMs = options.concurrencyWaitMs ?? timeoutMs;

  async function respond(req: IncomingMessage, requestId: string): Promise<LocalResponse | HandlerAnswer> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const { path } = splitUrl(url);

    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) return tooLarge(requestId, maxBodyBytes);
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) return tooLarge(requestId, maxBodyBytes);

    if (!app) {
      return problem({ status: 503, code: 'starting', title: 'Starting', detail: 'The local runtime is still starting', headers: { 'Retry-After': '1' } }, requestId);
    }
    if (path === '/_local' || path.startsWith('/_local/')) return localEndpoint(app, method, path, body, requestId);
    if (app.oauth && LocalAuthorizationServer.handles(path)) {
      return app.oauth.handle({ method, path, query: new URLSearchParams(splitUrl(url).query ?? ''), headers: req.headers, body });
    }
    const address = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    if (sharedLimiter && path.toLowerCase().startsWith(SHARED_PATH_PREFIX) && !sharedLimiter.take(address, Date.now())) {
      const retryAfter = Math.max(1, Math.ceil(sharedLimiter.wait(address, Date.now())));
      return problem({ status: 429, code: 'rate-limited', title: 'Too many requests', detail: `At most ${SHARED_LINK_RATE_PER_MINUTE} share-link requests a minute per address`, headers: { 'Retry-After': String(retryAfter) } }, requestId);
    }
    const limited = limiter?.check(req.headers.authorization, address, Date.now());
    if (limited) {
      return problem({ status: 429, code: 'rate-limited', title: 'Too many requests', detail: `Rate limit ${limited.limit} exceeded`, headers: { 'Retry-After': String(limited.retryAfterSeconds) } }, requestId);
    }

    if (app.console && !isApiPath(path)) {
      const page = await app.console.answer(method, path);
      if (page) return page;
    }
    const match = matchRoute(app.routes, method, path);
    if (match.kind === 'bad-path') {
      return problem({ status: 400, code: 'invalid-input', title: 'Invalid input', detail: 'The path is not valid percent-encoding' }, requestId);
    }
    if (match.kind === 'not-found') {
      return problem({ status: 404, code: 'no-route', title: 'Not found', detail: `No endpoint ${path}` }, requestId);
    }
    if (match.kind === 'method-not-allowed') {
      return problem(
        { status: 405, code: 'method-not-allowed', title: 'Method not allowed', detail: `${path} does not accept ${method}`, headers: { Allow: match.allow.join(', ') } },
        requestId,
      );
    }

    const event = toProxyEvent({
      request: {
        method,
        url,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        host: req.headers.host ?? '127.0.0.1',
      },
      route: match.route,
      pathParameters: match.pathParameters,
      requestId,
      now: new Date(),
    });
    const group = match.route.group;
    const queued = Date.now();
    if (!(await slots.acquire(concurrencyWaitMs))) {
      return problem({ status: 429, code: 'throttled', title: 'Too many requests', detail: 'Every function instance is busy', headers: { 'Retry-After': '1' } }, requestId);
    }
    try {
      const remainingMs = Math.max(1, timeoutMs - (Date.now() - queued));
      const result: unknown = await withTimeout(app.handlers[group](event, lambdaContext(group, remainingMs)), remainingMs);
      if (result === TIMED_OUT) {
        return problem({ status: 504, code: 'timeout', title: 'Endpoint request timed out' }, requestId);
      }
      if (!isProxyResult(result)) throw new Error(`Handler ${group} returned a malformed result: ${JSON.stringify(result)?.slice(0, 200)}`);
      return { fromHandler: result };
    } catch (error) {
      logError(`handler ${group} failed`, error, { correlationId: requestId, route: `${method} ${match.route.path}` });
      return problem({ status: 502, code: 'bad-gateway', title: 'Internal server error' }, requestId);
    } finally {
      slots.release();
    }
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    respond(req, requestId)
      .then((result) => send(res, result, requestId))
      .catch((error: unknown) => {
        logError('local HTTP adapter failed', error, { correlationId: requestId, route: `${req.method ?? 'GET'} ${loggablePath(splitUrl(req.url ?? '/').path)}` });
        send(res, problem({ status: 500, code: 'internal', title: 'Internal error' }, requestId), requestId);
      });
  });
  // Keep-alive sockets must not hold up a Ctrl-C for long.
  server.keepAliveTimeout = 2_000;
  server.on('clientError', answerUnparsable);

  return {
    server,
    ready(value) {
      app = value;
    },
  };
}

/** A path fit for a log line: a share link's token never is. */
function loggablePath(path: string): string {
  return path.toLowerCase().startsWith(SHARED_PATH_PREFIX) ? `${SHARED_PATH_PREFIX}{token}` : path;
}

/** A counting semaphore whose waiters give up after a deadline. */
class ConcurrencySlots {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(waitMs: number): Promise<boolean> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        resolve(false);
      }, waitMs);
      this.waiters.push(grant);
    });
  }

  /** Hands the slot straight to the oldest waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

/** Paths of the API (any version) and the sign-in endpoints; every other path belongs to the console. */
function isApiPath(path: string): boolean {
  return /^\/v\d+(\/|$)/.test(path) || LocalAuthorizationServer.handles(path);
}

function tooLarge(requestId: string, max: number): LocalResponse {
  return problem(
    { status: 413, code: 'payload-too-large', title: 'Payload too large', detail: `Request bodies are limited to ${max} bytes`, headers: { Connection: 'close' } },
    requestId,
  );
}

async function localEndpoint(app: LocalApp, method: string, path: string, body: Buffer, requestId: string): Promise<LocalResponse> {
  const { issuer } = app;
  const endpoints: Record<string, string> = { '/_local/jwks.json': 'GET', '/_local/token': 'POST', ...(app.mailbox && { '/_local/mail': 'GET' }) };
  const allowed = endpoints[path];
  if (!allowed) return problem({ status: 404, code: 'no-route', title: 'Not found', detail: `No endpoint ${path}` }, requestId);
  if (method !== allowed) {
    return problem(
      { status: 405, code: 'method-not-allowed', title: 'Method not allowed', detail: `${path} does not accept ${method}`, headers: { Allow: allowed } },
      requestId,
    );
  }
  if (path === '/_local/jwks.json') return json(200, issuer.jwks(), { 'Cache-Control': 'public, max-age=300' });
  if (path === '/_local/mail' && app.mailbox) return json(200, { items: await app.mailbox.list() });

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem(
      { status: 400, code: 'invalid-input', title: 'Invalid input', detail: 'The body is not valid JSON', errors: [{ path: '', message: 'is not valid JSON' }] },
      requestId,
    );
  }
  const result = await issuer.signIn(parsed);
  if (result.ok) return json(200, result.tokens, { 'Cache-Control': 'no-store' });
  if (result.reason === 'invalid-body') {
    return problem({ status: 400, code: 'invalid-input', title: 'Invalid input', detail: 'Send {username, password, expiresIn?}', errors: result.errors }, requestId);
  }
  return problem({ status: 401, code: 'bad-credentials', title: 'Bad credentials', detail: 'Unknown user or wrong password' }, requestId);
}

/** The body, or undefined once it passes `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

interface HandlerAnswer {
  readonly fromHandler: APIGatewayProxyResult;
}

function send(res: ServerResponse, answer: LocalResponse | HandlerAnswer, requestId: string): void {
  if (res.headersSent) return;
  let headers: Record<string, string | string[]>;
  let body: Buffer;
  let statusCode: number;
  if ('fromHandler' in answer) {
    // The handlers set X-Request-Id themselves, as they must in AWS: not added here.
    const result = answer.fromHandler;
    headers = resultHeaders(result);
    body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    statusCode = result.statusCode;
  } else {
    headers = { ...OWN_ANSWER_HEADERS, ...answer.headers, [REQUEST_ID_HEADER]: requestId };
    body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    statusCode = answer.statusCode;
  }
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-length') delete headers[name];
  res.writeHead(statusCode, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

/**
 * Requests Node's HTTP parser refuses never reach the request handler: headers past
 * `maxHeaderSize` (431), Content-Length with Transfer-Encoding or other broken framing (400),
 * a client too slow to send its headers (408). Answered here as problem+json on the raw
 * socket, then closed: after a framing error the connection cannot be trusted.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on this connection cannot be followed by another: just close.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const spec =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? { status: 431, code: 'headers-too-large', title: 'Request header fields too large', detail: 'The request headers exceed the size this API accepts' }
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, code: 'request-timeout', title: 'Request timeout', detail: 'The request did not arrive in time' }
        : error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH' || error.code === 'HPE_INVALID_TRANSFER_ENCODING' || error.code === 'HPE_INVALID_CONTENT_LENGTH'
          ? { status: 400, code: 'malformed-request', title: 'Malformed request', detail: 'Send either one valid Content-Length or Transfer-Encoding: chunked, not both' }
          : { status: 400, code: 'malformed-request', title: 'Malformed request', detail: 'The request is not valid HTTP/1.1' };
  const answer = problem(spec, requestId);
  const body = Buffer.from(answer.body, 'utf8');
  const headers = { ...OWN_ANSWER_HEADERS, ...answer.headers, [REQUEST_ID_HEADER]: requestId, 'Content-Length': String(body.length), Connection: 'close' };
  const head = [`HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status]}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]));
}

const TIMED_OUT = Symbol('timed out');
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
