/**
 * Parses an operation's input once, strictly (API.md 1.1): a body only as
 * `application/json` (else 415), valid UTF-8, JSON; then path, query and body through the
 * operation's zod schemas (which refuse control characters and unknown fields, and normalise
 * date-times); a sealed cursor is opened for the caller and the query it was sealed for.
 * A part that fails is refused when it is first read: the use case authorizes before it reads
 * its input, so a role that may never call it gets 403 whatever it sent.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import type { OperationSchemas } from '../api/operation-schemas.js';
import { UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';
import type { CursorSealer } from './cursors.js';
import { fieldErrors, type InputPart } from './zod-issues.js';
import { headerValues, stateOf, type ApiMiddleware, type ApiRequest, type ParsedInput } from './state.js';

/** Operations without query parameters refuse any. */
const NoQuery = z.strictObject({});
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(;.*)?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function parsePart(part: InputPart, schema: z.ZodMiniType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ValidationError(fieldErrors(part, result.error.issues));
  return result.data;
}

function bodyBytes(event: APIGatewayProxyEvent): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** The body as JSON; no body at all is `{}` (a POST whose fields are all optional). */
export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const bytes = bodyBytes(event);
  if (bytes.length === 0) return {};
  const types = headerValues(event, 'content-type');
  if (types.length !== 1 || !JSON_MEDIA_TYPE.test(types[0]!.trim())) {
    throw new UnsupportedMediaTypeError(`Send the body as Content-Type: application/json${types.length > 1 ? ' (once)' : ''}`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ValidationError([{ path: '', message: 'is not valid UTF-8' }], { code: 'invalid-utf8' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: '', message: 'is not valid JSON' }], { code: 'invalid-json' });
  }
}

function queryOf(event: APIGatewayProxyEvent): Record<string, string> {
  const repeated = Object.entries(event.multiValueQueryStringParameters ?? {}).filter(([, values]) => (values?.length ?? 0) > 1);
  if (repeated.length > 0) {
    throw new ValidationError(repeated.map(([name]) => ({ path: `query.${name}`, message: 'is given more than once' })));
  }
  return Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ParseInputOptions {
  readonly operation: string;
  readonly schemas: OperationSchemas;
  /** Required when the operation pages (its query has a `cursor`). */
  readonly cursors?: CursorSealer | undefined;
}

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

async function attempt(parse: () => unknown): Promise<Parsed> {
  try {
    return { ok: true, value: await parse() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Each part is parsed now; a part that failed throws its error when read (see UseCaseInput). */
class DeferredInput implements ParsedInput {
  constructor(private readonly parts: Readonly<Record<keyof ParsedInput, Parsed>>) {}

  private read(part: keyof ParsedInput): unknown {
    const parsed = this.parts[part];
    if (!parsed.ok) throw parsed.error;
    return parsed.value;
  }

  get path() {
    return this.read('path');
  }
  get query() {
    return this.read('query');
  }
  get body() {
    return this.read('body');
  }
  get json() {
    return this.read('json');
  }
}

export function parseInput({ operation, schemas, cursors }: ParseInputOptions): ApiMiddleware {
  return {
    before: async function parse(request: ApiRequest) {
      const { event } = request;
      const state = stateOf(request);
      const json = await attempt(() => (schemas.body ? jsonBody(event) : undefined));
      const path = await attempt(() => parsePart('path', schemas.path, event.pathParameters ?? {}));
      const query = await attempt(async () => {
        const query = parsePart('query', schemas.query ?? NoQuery, queryOf(event)) as Record<string, unknown>;
        if (typeof query.cursor !== 'string') return query;
        if (!cursors) throw new Error(`Operation ${operation} pages: pass a cursor sealer`);
        const binding = { userId: state.principal.userId, operation, path: path.ok ? path.value : undefined, query };
        return { ...query, cursor: await cursors.open(query.cursor, binding) };
      });
      const body = json.ok ? await attempt(() => (schemas.body ? parsePart('body', schemas.body, json.value) : undefined)) : json;
      state.input = new DeferredInput({ path, query, body, json });
    },
  };
}
