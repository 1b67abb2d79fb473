/** API.md 1.1 "Input and answers, tightened", through HTTP: media type, UTF-8, control characters, RFC 3339, ranges, integers, repeated headers, sealed cursors, answer headers. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let requestId: string;
let itemId: string;
beforeAll(async () => {
  api = await startTestApi();
  const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'strict', items: [{ docType: 'audit-report' }] } });
  requestId = created.body.requestId;
  itemId = created.body.items[0].itemId;
});
afterAll(() => api.stop());

/** A request with headers exactly as listed (repeats included), which fetch would merge. */
function rawCall(method: string, path: string, rawHeaders: string[], body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const url = new URL(path, api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: ['Host', url.host, ...rawHeaders, ...(body ? ['Content-Length', String(body.length)] : [])] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const createBody = { factoryId: 'F001', title: 'typed', items: [{ docType: 'x' }] };

describe('media type', () => {
  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['application/jsonp'],
    ['application/problem+json'],
  ])('answers 415 problem+json to a body sent as %s', async (type) => {
    const answer = await api.call('POST', '/v1/requests', { as: 'buyer1', rawBody: JSON.stringify(createBody), headers: { 'Content-Type': type } });
    expect(answer.status).toBe(415);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 415, code: 'unsupported-media-type', type: 'urn:evidence-requests:problem:unsupported-media-type' });
    const events = (await api.auditEvents()).filter((e) => e.correlationId === answer.requestId);
    expect(events).toMatchObject([{ outcome: 'FAILED', statusCode: 415 }]);
  });

  it('answers 415 to a body without Content-Type', async () => {
    const token = await api.tokens.accessToken('buyer1');
    const answer = await rawCall('POST', '/v1/requests', ['Authorization', `Bearer ${token}`], Buffer.from(JSON.stringify(createBody)));
    expect(answer.status).toBe(415);
  });

  it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON;charset=UTF-8']])('accepts %s', async (type) => {
    const answer = await api.call('POST', '/v1/requests', { as: 'buyer1', rawBody: JSON.stringify(createBody), headers: { 'Content-Type': type } });
    expect(answer.status).toBe(201);
  });
});

describe('text', () => {
  it('answers 400 invalid-utf8 to a body that is not UTF-8', async () => {
    const token = await api.tokens.accessToken('buyer1');
    const bytes = Buffer.concat([Buffer.from('{"factoryId":"F001","title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","items":[{"docType":"x"}]}')]);
    const answer = await rawCall('POST', '/v1/requests', ['Authorization', `Bearer ${token}`, 'Content-Type', 'application/json'], bytes);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid-utf8');
  });

  it.each([['\u0000'], ['\u0007'], ['\u001b[31m'], ['\u007f'], ['\u202e'], ['\u2066'], ['\n'], ['\t'], ['\r']])('refuses %j in a title and a docType', async (c) => {
    const answer = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: `a${c}b`, items: [{ docType: `d${c}` }] } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(['/title', '/items/0/docType']);
  });

  it('allows newline and tab, and only those, in free text', async () => {
    const ok = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { ...createBody, description: 'line 1\n\tline 2', items: [{ docType: 'x', note: 'a\nb' }] } });
    expect(ok.status).toBe(201);
    expect(ok.body.description).toBe('line 1\n\tline 2');
    const bad = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { ...createBody, description: 'bidi \u202e', items: [{ docType: 'x', note: 'nul \u0000' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['/description', '/items/0/note']);
  });
});

describe('date-times', () => {
  it.each([
    ['2027-06-30T00:00:00Z', '2027-06-30T00:00:00.000Z'],
    ['2027-06-30T02:00:00+02:00', '2027-06-30T00:00:00.000Z'],
    ['2027-06-29T19:30:00.5-04:30', '2027-06-30T00:00:00.500Z'],
    ['2027-06-30T00:00:00.123456Z', '2027-06-30T00:00:00.123Z'],
    // RFC 3339 5.6: "T" and "Z" may be lower case.
    ['2027-06-30t00:00:00z', '2027-06-30T00:00:00.000Z'],
  ])('accepts expiresAt %s and answers it as %s', async (input, stored) => {
    const answer = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'n', docType: 'x', expiresAt: input } });
    expect(answer.status).toBe(201);
    expect(answer.body.versions[0].expiresAt).toBe(stored);
  });

  it.each([['2027-06-30'], ['2027-06-30T00:00:00'], ['2027-06-30 00:00:00Z'], ['30/06/2027']])('refuses expiresAt %s', async (input) => {
    const answer = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'n', docType: 'x', expiresAt: input } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].path).toBe('/expiresAt');
  });

  it('answers 400 naming both bounds when from is later than to', async () => {
    const answer = await api.call('GET', '/v1/audit?from=2026-06-01T00:00:00.000Z&to=2026-01-01T00:00:00.000Z', { as: 'auditor1' });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('range-reversed');
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.from', 'query.to']);
  });

  it('compares bounds in UTC whatever their offsets', async () => {
    // 02:00+02:00 is midnight UTC, before 01:00Z: a valid range although the text sorts the other way.
    const answer = await api.call('GET', `/v1/audit?from=${encodeURIComponent('2026-06-01T02:00:00+02:00')}&to=2026-06-01T01:00:00Z`, { as: 'auditor1' });
    expect(answer.status).toBe(200);
  });
});

describe('query integers', () => {
  it.each([['+3'], ['0x10'], [' 5'], ['5e0'], ['05'], ['5.0'], ['-1'], ['']])('refuses limit=%j', async (limit) => {
    const answer = await api.call('GET', `/v1/requests?limit=${encodeURIComponent(limit)}`, { as: 'buyer1' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].path).toBe('query.limit');
  });

  it('accepts plain digits', async () => {
    expect((await api.call('GET', '/v1/requests?limit=5', { as: 'buyer1' })).status).toBe(200);
  });
});

describe('repeated identity and idempotency headers', () => {
  it('answers 401 invalid_token to Authorization sent twice, even twice the same valid token', async () => {
    const token = await api.tokens.accessToken('buyer1');
    const answer = await rawCall('GET', '/v1/requests', ['Authorization', `Bearer ${token}`, 'Authorization', `Bearer ${token}`]);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 400 to Idempotency-Key sent twice', async () => {
    const token = await api.tokens.accessToken('buyer1');
    const answer = await rawCall(
      'POST',
      `/v1/requests/${requestId}/cancel`,
      ['Authorization', `Bearer ${token}`, 'Content-Type', 'application/json', 'Idempotency-Key', 'k1', 'Idempotency-Key', 'k1'],
      Buffer.from('{}'),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'header-repeated', errors: [{ path: 'header.Idempotency-Key' }] });
    expect((await api.call('GET', `/v1/requests/${requestId}`, { as: 'buyer1' })).body.status).toBe('OPEN');
  });
});

describe('sealed cursors', () => {
  let cursor: string;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await api.call('POST', '/v1/requests', { as: 'buyer2', body: { ...createBody, factoryId: 'F002' } });
    const first = await api.call('GET', '/v1/requests?limit=1', { as: 'buyer2' });
    cursor = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
  });

  it('reveals no storage key', () => {
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    // Sealed bytes are random: two-letter words turn up by chance (one cursor in a few hundred
    // holds "sk"), so the plain text's own spellings are looked for, quoted as JSON holds them.
    for (const word of ['"pk"', '"sk"', 'gsi1', 'BUYER#', 'REQUEST#', 'B002']) expect(decoded).not.toContain(word);
  });

  it('pages on for the same user and query', async () => {
    expect((await api.call('GET', `/v1/requests?limit=1&cursor=${cursor}`, { as: 'buyer2' })).status).toBe(200);
    // The page size may change from page to page; it is not part of the query a cursor is bound to.
    expect((await api.call('GET', `/v1/requests?limit=2&cursor=${cursor}`, { as: 'buyer2' })).status).toBe(200);
  });

  it('refuses every one-character edit', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const positions = [0, 1, Math.floor(cursor.length / 2), cursor.length - 2, cursor.length - 1];
    for (const at of positions) {
      const other = alphabet[(alphabet.indexOf(cursor[at]!) + 1) % alphabet.length]!;
      const edited = cursor.slice(0, at) + other + cursor.slice(at + 1);
      const answer = await api.call('GET', `/v1/requests?limit=1&cursor=${edited}`, { as: 'buyer2' });
      expect(answer.status, `edit at ${at}`).toBe(400);
      expect(answer.body.code).toBe('invalid-cursor');
    }
  });

  it('refuses a cursor replayed by another user or for another query', async () => {
    expect((await api.call('GET', `/v1/requests?limit=1&cursor=${cursor}`, { as: 'buyer1' })).status).toBe(400);
    expect((await api.call('GET', `/v1/requests?limit=1&status=OPEN&cursor=${cursor}`, { as: 'buyer2' })).status).toBe(400);
    expect((await api.call('GET', `/v1/requests?limit=1&cursor=${cursor}`, { as: 'auditor1' })).status).toBe(400);
    expect((await api.call('GET', `/v1/evidence?limit=1&cursor=${cursor}`, { as: 'factory2' })).status).toBe(400);
  });
});

describe('answer headers', () => {
  it('puts the security headers on successes, refusals and unknown routes', async () => {
    const answers = [
      await api.call('GET', `/v1/requests/${requestId}`, { as: 'buyer1' }),
      await api.call('GET', `/v1/requests/${requestId}`, { as: 'buyer2' }),
      await api.call('POST', `/v1/requests/${requestId}/items/${itemId}/review`, { as: 'buyer1', body: { decision: 'ACCEPT' } }),
      await api.call('GET', '/v1/requests'),
      await api.call('GET', '/v1/health'),
      await api.call('GET', '/v1/openapi.json'),
      await api.call('GET', '/v1/me', { as: 'admin1' }),
    ];
    for (const answer of answers) {
      expect(answer.requestId).not.toBe('');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
    expect(answers[2]!.body).toMatchObject({ status: 409, code: 'item-not-fulfilled', type: 'urn:evidence-requests:problem:conflict' });
  });
});
