/** The parse-input middleware: strict media type, UTF-8 and JSON, schemas per part, deferred refusals, sealed cursors; and properties over generated input. */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPERATION_SCHEMAS } from '../../../functions/api/operation-schemas.js';
import { AppError, UnsupportedMediaTypeError, ValidationError } from '../../../functions/core/errors.js';
import { createCursorSealer } from '../../../functions/middleware/cursors.js';
import { parseInput } from '../../../functions/middleware/parse-input.js';
import { stateOf } from '../../../functions/middleware/state.js';
import { apiEvent } from '../../support/events.js';
import { middyRequest } from '../../support/middy-request.js';

const key = randomBytes(32);
const cursors = createCursorSealer(async () => key);
const createRequest = parseInput({ operation: 'createRequest', schemas: OPERATION_SCHEMAS.createRequest, cursors });
const listRequests = parseInput({ operation: 'listRequests', schemas: OPERATION_SCHEMAS.listRequests, cursors });
const valid = { factoryId: 'F001', title: 'Title', items: [{ docType: 'certificate' }] };

async function parsed(middleware: typeof createRequest, parts: Parameters<typeof apiEvent>[0], userId = 'u-1') {
  const request = middyRequest(apiEvent(parts));
  stateOf(request).principal = { userId, username: 'u', role: 'buyer', orgId: 'B001' };
  await middleware.before!(request);
  return stateOf(request).input;
}

const post = (body: string | Buffer, contentType: string[] = ['Content-Type', 'application/json']) => ({ method: 'POST', url: '/v1/requests', headers: contentType, body });

describe('parse input', () => {
  it('parses a JSON body once: the schema\'s value for the use case, the JSON value for idempotency', async () => {
    const input = await parsed(createRequest, post(JSON.stringify({ ...valid, description: 'a\nb' })));
    expect(input.body).toEqual({ ...valid, description: 'a\nb' });
    expect(input.json).toEqual({ ...valid, description: 'a\nb' });
  });

  it('defers a refusal to the first read of the part, so the use case can authorize first', async () => {
    const input = await parsed(createRequest, post('{"factoryId": '));
    expect(() => input.path).not.toThrow();
    expect(() => input.body).toThrow(ValidationError);
    expect(() => input.json).toThrow(expect.objectContaining({ code: 'invalid-json' }));
  });

  it.each([[[]], [['Content-Type', 'text/plain']], [['Content-Type', 'application/json', 'Content-Type', 'application/json']]])('refuses a body with Content-Type %j as 415', async (headers) => {
    const input = await parsed(createRequest, post(JSON.stringify(valid), headers));
    expect(() => input.body).toThrow(UnsupportedMediaTypeError);
  });

  it('takes no body at all as an empty object, whatever the Content-Type', async () => {
    const input = await parsed(createRequest, post('', []));
    expect(input.json).toEqual({});
    expect(() => input.body).toThrow(ValidationError);
  });

  it('refuses bytes that are not UTF-8', async () => {
    const input = await parsed(createRequest, post(Buffer.from([0x7b, 0xff, 0x7d])));
    expect(() => input.body).toThrow(expect.objectContaining({ code: 'invalid-utf8' }));
  });

  it('opens a sealed cursor only for the user and query it was sealed for', async () => {
    const position = 'position-1';
    const sealed = await cursors.seal(position, { userId: 'u-1', operation: 'listRequests', path: undefined, query: { status: 'OPEN', limit: 5 } });
    expect((await parsed(listRequests, { method: 'GET', url: `/v1/requests?status=OPEN&limit=9&cursor=${sealed}` })).query).toMatchObject({ cursor: position, limit: 9 });
    const otherUser = await parsed(listRequests, { method: 'GET', url: `/v1/requests?status=OPEN&cursor=${sealed}` }, 'u-2');
    expect(() => otherUser.query).toThrow(expect.objectContaining({ code: 'invalid-cursor' }));
    const otherQuery = await parsed(listRequests, { method: 'GET', url: `/v1/requests?cursor=${sealed}` });
    expect(() => otherQuery.query).toThrow(expect.objectContaining({ code: 'invalid-cursor' }));
  });
});

describe('parse input, properties', () => {
  const CONTROLS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

  it('accepts a title exactly when it is 1-200 characters without control or bidi characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\n', '\t', '\u007f', '\u202e', '\u2067', 'é', '漢'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 210 }), async (title) => {
        const input = await parsed(createRequest, post(JSON.stringify({ ...valid, title })));
        const ok = title.length >= 1 && title.length <= 200 && !CONTROLS.test(title);
        if (ok) expect(input.body).toMatchObject({ title });
        else expect(() => input.body).toThrow(ValidationError);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every body that is not an application/json media type, and never throws anything but a domain error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/jsonx', 'multipart/form-data'), fc.string({ maxLength: 40 })),
        fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))),
        async (contentType, body) => {
          const input = await parsed(createRequest, post(body, ['Content-Type', contentType]));
          const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
          let outcome: unknown;
          try {
            outcome = input.body;
          } catch (error) {
            outcome = error;
            expect(error).toBeInstanceOf(AppError);
          }
          if (bytes.length > 0 && !/^application\/json[ \t]*(;.*)?$/i.test(contentType.trim())) expect(outcome).toBeInstanceOf(UnsupportedMediaTypeError);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads an RFC 3339 date-time in any offset as the same UTC instant, with milliseconds', async () => {
    const createEvidence = parseInput({ operation: 'createEvidence', schemas: OPERATION_SCHEMAS.createEvidence });
    await fc.assert(
      fc.asyncProperty(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.boolean(),
        async (instant, offsetMinutes, fraction) => {
          const local = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, fraction ? 23 : 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = offsetMinutes === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const input = await parsed(createEvidence, { method: 'POST', url: '/v1/evidence', headers: ['Content-Type', 'application/json'], body: JSON.stringify({ name: 'n', docType: 'd', expiresAt: `${local}${offset}` }) });
          const expected = new Date(Math.floor(instant.getTime() / (fraction ? 1 : 1000)) * (fraction ? 1 : 1000)).toISOString();
          expect((input.body as { expiresAt: string }).expiresAt).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts a limit exactly when it is plain decimal digits from 1 to 100', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: -5, max: 120 }).map(String), fc.constantFrom('+3', '0x10', ' 5', '5e0', '05', '5.0', '١٢'), fc.string({ maxLength: 4 })), async (limit) => {
        const input = await parsed(listRequests, { method: 'GET', url: `/v1/requests?limit=${encodeURIComponent(limit)}` });
        const ok = /^(0|[1-9][0-9]*)$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100;
        if (ok) expect(input.query).toMatchObject({ limit: Number(limit) });
        else expect(() => input.query).toThrow(ValidationError);
      }),
      { numRuns: 300 },
    );
  });
});
