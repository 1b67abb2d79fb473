/** The local runtime as a client sees it: over HTTP, on its own port and data dir. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../functions/adapters/cognito-token-verifier.js';
import { DEFAULT_DEMO_PASSWORD, stableSub } from '../../local/demo-users.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { javaUnder, startCli, type Cli } from '../support/local-cli.js';

let dataDir: string;
let runtime: LocalRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-runtime-e2e-'));
  runtime = await startLocalRuntime({ port: await freePort(), dataDir });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function dynamo(endpoint = runtime.dynamodbEndpoint): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

async function signIn(body: unknown): Promise<Response> {
  return fetch(`${runtime.url}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, correlationId: requestId });
  return body;
}

describe('start-up', () => {
  it('answers GET /v1/health once ready', async () => {
    const response = await fetch(`${runtime.url}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('creates the table and seeds the four organisations', async () => {
    const client = dynamo();
    try {
      for (const [orgId, kind] of [['B001', 'buyer'], ['B002', 'buyer'], ['F001', 'factory'], ['F002', 'factory']] as const) {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: runtime.tableName, Key: { pk: { S: `ORG#${orgId}` }, sk: { S: 'ORG' } } }),
        );
        expect(Item).toMatchObject({ orgId: { S: orgId }, kind: { S: kind }, name: { S: expect.any(String) } });
      }
    } finally {
      client.destroy();
    }
  });

  it('runs the archive side and tells the handlers where it is', async () => {
    expect(runtime.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.handlerEnv).toMatchObject({ S3_ENDPOINT: runtime.s3Endpoint, ARCHIVE_BUCKET: expect.any(String) });
    const response = await fetch(runtime.s3Endpoint!);
    await response.body?.cancel();
    expect(response.status).toBeLessThan(500);
  });

  it('keeps the signing key private to the owner', () => {
    expect(statSync(join(dataDir, 'keys', 'signing-key.pem')).mode & 0o777).toBe(0o600);
  });
});

describe('local sign-in', () => {
  it('issues access and ID tokens the production verifier accepts', async () => {
    const response = await signIn({ username: 'factory1', password: DEFAULT_DEMO_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), id_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });

    const verifier = createAccessTokenVerifier({ userPoolId: runtime.userPoolId, clientIds: [runtime.clientId], jwksUri: runtime.jwksUri });
    const claims = await verifier.verify(body.access_token as string);
    expect(claims).toMatchObject({ sub: stableSub('factory1'), username: 'factory1', groups: ['factory'], orgId: 'F001' });
    expect(decodeJwt(body.id_token as string)).toMatchObject({ token_use: 'id', aud: runtime.clientId, 'cognito:username': 'factory1' });
  });

  it('honours expiresIn', async () => {
    const response = await signIn({ username: 'auditor1', password: DEFAULT_DEMO_PASSWORD, expiresIn: 60 });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(60);
    const { exp, iat } = decodeJwt(body.access_token);
    expect(exp! - iat!).toBe(60);
  });

  it('answers 401 problem+json for bad credentials', async () => {
    await expectProblem(await signIn({ username: 'buyer1', password: 'wrong' }), 401);
    await expectProblem(await signIn({ username: 'nobody', password: DEFAULT_DEMO_PASSWORD }), 401);
  });

  it.each([
    ['malformed JSON', '{"username":'],
    ['no password', { username: 'buyer1' }],
    ['expiresIn 0', { username: 'buyer1', password: DEFAULT_DEMO_PASSWORD, expiresIn: 0 }],
    ['expiresIn 3601', { username: 'buyer1', password: DEFAULT_DEMO_PASSWORD, expiresIn: 3601 }],
    ['an unknown field', { username: 'buyer1', password: DEFAULT_DEMO_PASSWORD, admin: true }],
    ['an array', []],
  ])('answers 400 problem+json for %s', async (_name, body) => {
    const problem = await expectProblem(await signIn(body), 400);
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]));
  });

  it('serves the public JWKS only', async () => {
    const response = await fetch(runtime.jwksUri);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('adapter answers', () => {
  it('answers 404 problem+json for a path with no route', async () => {
    await expectProblem(await fetch(`${runtime.url}/v2/requests`), 404);
    await expectProblem(await fetch(`${runtime.url}/_local/nothing`), 404);
  });

  it('answers 405 problem+json with Allow for a known path and another method', async () => {
    const response = await fetch(`${runtime.url}/v1/requests/abc`, { method: 'DELETE' });
    await expectProblem(response, 405);
    expect(response.headers.get('allow')).toBe('GET');
    const jwks = await fetch(runtime.jwksUri, { method: 'POST' });
    await expectProblem(jwks, 405);
    expect(jwks.headers.get('allow')).toBe('GET');
  });

  it('answers 413 problem+json past 1 MiB of body', async () => {
    const response = await fetch(`${runtime.url}/v1/requests`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    await expectProblem(response, 413);
  });

  it('passes requests to the handlers, which check tokens themselves', async () => {
    const anonymous = await fetch(`${runtime.url}/v1/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    const { access_token: token } = (await (await signIn({ username: 'buyer2', password: DEFAULT_DEMO_PASSWORD })).json()) as {
      access_token: string;
    };
    const me = await fetch(`${runtime.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'buyer2', role: 'buyer', orgId: 'B002' });
  });
});

describe('npm start', () => {
  const java = javaUnder;

  it('prints the banner, keeps data and keys across a restart, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-runtime-cli-'));
    let cli: Cli | undefined;
    try {
      cli = await startCli(dir);
      const banner = cli.output();
      expect(banner).toContain(cli.url);
      expect(banner).toMatch(/buyer1\s+buyer\s+B001/);
      expect(banner).toMatch(/auditor1\s+auditor\s+-/);
      expect(banner).toContain('LOCAL_DEMO_PASSWORD');
      expect(banner).toContain(`curl -s -X POST ${cli.url}/_local/token`);
      const dynamodbEndpoint = /DynamoDB Local (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      expect(dynamodbEndpoint).toBeDefined();
      expect(java(dir)).not.toBe('');

      const jwksBefore = await (await fetch(`${cli.url}/_local/jwks.json`)).json();
      const signIn = await fetch(`${cli.url}/_local/token`, {
        method: 'POST',
        body: JSON.stringify({ username: 'admin1', password: DEFAULT_DEMO_PASSWORD }),
      });
      const { access_token: token } = (await signIn.json()) as { access_token: string };
      const marker = { pk: { S: 'TEST#restart' }, sk: { S: 'TEST' } };
      const client = dynamo(dynamodbEndpoint);
      await client.send(new PutItemCommand({ TableName: 'evidence-requests', Item: marker }));
      // Seeding must never overwrite: a renamed organisation stays renamed.
      await client.send(
        new UpdateItemCommand({
          TableName: 'evidence-requests',
          Key: { pk: { S: 'ORG#B001' }, sk: { S: 'ORG' } },
          UpdateExpression: 'SET #n = :n',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':n': { S: 'Renamed' } },
        }),
      );
      client.destroy();

      await cli.stop('SIGTERM');
      expect(java(dir)).toBe('');

      cli = await startCli(dir);
      const endpointAfter = /DynamoDB Local (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.output())![1]!;
      const after = dynamo(endpointAfter);
      try {
        expect((await after.send(new GetItemCommand({ TableName: 'evidence-requests', Key: marker }))).Item).toBeDefined();
        const { Item: org } = await after.send(
          new GetItemCommand({ TableName: 'evidence-requests', Key: { pk: { S: 'ORG#B001' }, sk: { S: 'ORG' } } }),
        );
        expect(org?.name).toEqual({ S: 'Renamed' });
      } finally {
        after.destroy();
      }
      expect(await (await fetch(`${cli.url}/_local/jwks.json`)).json()).toEqual(jwksBefore);
      const me = await fetch(`${cli.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);

      await cli.stop('SIGINT');
      cli = undefined;
      expect(java(dir)).toBe('');
    } finally {
      await cli?.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
