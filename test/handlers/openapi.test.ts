import { Validator } from '@seriousme/openapi-schema-validator';
import * as z from 'zod/mini';
import { PROBLEM_CODES } from '../../functions/core/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_SCHEMAS } from '../../functions/api/operation-schemas.js';
import { ROUTES } from '../../functions/api/routes.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('GET /v1/openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document without a token', async () => {
    const answer = await api.call('GET', '/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(answer.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route with the schemas the handlers parse with', async () => {
    const { body: doc } = await api.call('GET', '/v1/openapi.json');
    for (const route of ROUTES) expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    const create = doc.paths['/v1/requests'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual(JSON.parse(JSON.stringify(stripDialect(z.toJSONSchema(OPERATION_SCHEMAS.createRequest.body, { io: 'input' })))));
    expect(doc.components.schemas.Request.required).toEqual(expect.arrayContaining(['requestId', 'buyerOrgId', 'factoryId', 'status', 'items']));
  });

  it('answers health without a token', async () => {
    const answer = await api.call('GET', '/v1/health');
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(answer.requestId).not.toBe('');
  });
});

function stripDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

describe('problem codes', () => {
  it('lists every precise code a problem may carry, with its meaning', async () => {
    const { body: doc } = await api.call('GET', '/v1/openapi.json');
    const codes = doc.components.schemas.ProblemCode;
    expect(codes.enum).toEqual(Object.keys(PROBLEM_CODES));
    for (const [code, meaning] of Object.entries(PROBLEM_CODES)) expect(codes.description).toContain(`\`${code}\`: ${meaning}`);
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'code', 'status', 'correlationId']));
    expect(doc.paths['/v1/requests'].post.responses['415']).toBeDefined();
    expect(doc.paths['/v1/requests'].get.responses['415']).toBeUndefined();
  });
});
