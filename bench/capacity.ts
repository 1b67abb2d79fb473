/**
 * DynamoDB capacity consumed per API operation, measured on DynamoDB Local through the real
 * handlers and adapters (an SDK middleware adds ReturnConsumedCapacity: TOTAL to every call
 * and sums what comes back), beside the theoretical minimum for the items the operation
 * writes: 1 WCU per started KB of each item, x2 inside a transaction.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { documentClient } from '../functions/composition/table.js';
import { ROUTES } from '../functions/api/routes.js';
import { createTableInput } from '../functions/config/table.js';
import { createHandler as auditHandler } from '../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../functions/http/evidence.js';
import { createHandler as requestsHandler } from '../functions/http/requests.js';
import type { ApiHandler } from '../functions/middleware/api-operation.js';
import { lambdaContext, matchRoute, toProxyEvent } from '../local/api-gateway-adapter.js';
import type { DemoUsername } from '../local/demo-users.js';
import { freePort } from '../local/net.js';
import { seedOrganisations } from '../local/seed.js';
import { findUser, generateSigningKey, TokenIssuer } from '../local/token-issuer.js';
import { testConfiguration, testDeps } from '../test/support/deps.js';
import { createServer } from 'node:http';

export interface CapacityFigures {
  readonly operation: string;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Sum over written items of ceil(size / 1 KB), x2 when transactional; undefined for reads. */
  readonly minWriteUnits?: number;
  readonly itemBytes?: number[];
  readonly transactional?: boolean;
}

/** DynamoDB's item size rules: names and values in UTF-8, numbers ~1 byte per 2 digits + 1, 3 bytes per map or list, 1 per element. */
export function itemSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]|e.*$/g, '').replace(/^0+/, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + itemSize(v), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Record<string, unknown>).reduce((n, [k, v]) => n + (v === undefined ? 0 : Buffer.byteLength(k) + 1 + itemSize(v)), 0);
  return 0;
}
/** Top-level items have no map overhead. */
const topItemSize = (item: Record<string, unknown>) => itemSize(item) - 3;

function meterCapacity(client: DynamoDBDocumentClient) {
  const meter = { read: 0, write: 0, on: false };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (meter.on) input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      if (meter.on) {
        const consumed = (output.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }[]) {
          if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
            meter.read += c.ReadCapacityUnits ?? 0;
            meter.write += c.WriteCapacityUnits ?? 0;
          } else {
            // TOTAL without the split: attribute by the command's kind.
            const name = context.commandName ?? '';
            if (/TransactWrite|PutItem|UpdateItem|DeleteItem|BatchWrite/.test(name)) meter.write += c.CapacityUnits ?? 0;
            else meter.read += c.CapacityUnits ?? 0;
          }
        }
      }
      return output;
    },
    { step: 'initialize', name: 'meterCapacity', priority: 'low' },
  );
  return meter;
}

export async function measureCapacity(dynamodbEndpoint: string): Promise<CapacityFigures[]> {
  const issuer = new TokenIssuer({ key: await generateSigningKey(), password: 'bench' });
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks())));
  const port = await freePort();
  await new Promise<void>((resolve) => jwks.listen(port, '127.0.0.1', resolve));
  const tableName = `bench-capacity-${Date.now()}`;
  const config = testConfiguration(
    { tableName, endpoint: dynamodbEndpoint },
    { verifierOptions: { userPoolId: issuer.userPoolId, clientIds: [issuer.clientId], jwksUri: `http://127.0.0.1:${port}/jwks.json` } },
  );
  // The metered client serves every adapter, so each figure counts all the capacity a call consumes.
  const documents = documentClient(config);
  try {
    await documents.send(new CreateTableCommand(createTableInput(tableName)));
    await seedOrganisations(documents as never, tableName);
    const meter = meterCapacity(documents);
    const deps = testDeps(config);
    const handlers: Record<string, ApiHandler> = { requests: requestsHandler(deps), evidence: evidenceHandler(deps), audit: auditHandler(deps) };
    const tokens = new Map<string, string>();
    const call = async (as: DemoUsername, method: string, url: string, body?: unknown, headers: string[] = []) => {
      const token = tokens.get(as) ?? (await issuer.accessToken(findUser(as)));
      tokens.set(as, token);
      const match = matchRoute(ROUTES, method, url.split('?')[0]!);
      if (match.kind !== 'route') throw new Error(`no route ${method} ${url}`);
      const requestId = `cap-${Math.random().toString(36).slice(2)}`;
      const event = toProxyEvent({
        request: { method, url, rawHeaders: ['Authorization', `Bearer ${token}`, 'Content-Type', 'application/json', 'User-Agent', 'bench', ...headers], body: Buffer.from(body === undefined ? '' : JSON.stringify(body)), sourceIp: '127.0.0.1', host: '127.0.0.1' },
        route: match.route,
        pathParameters: match.pathParameters,
        requestId,
        now: new Date(),
      });
      const result: APIGatewayProxyResult = await handlers[match.route.group]!(event, lambdaContext('bench', 10_000));
      if (result.statusCode >= 400) throw new Error(`${method} ${url}: ${result.statusCode} ${result.body}`);
      return { body: JSON.parse(result.body) as Record<string, any>, requestId };
    };
    /** Items whose attribute `correlationId` or key matches: read outside the meter. */
    const itemsWritten = async (correlationId: string, keys: string[]) => {
      const all = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return (all.Items ?? []).filter((i) => i.correlationId === correlationId || keys.includes(`${i.pk}|${i.sk}`));
    };
    const results: CapacityFigures[] = [];
    const measure = async (operation: string, run: () => Promise<{ body: Record<string, any>; requestId: string }>, writes?: (r: { body: Record<string, any>; requestId: string }) => string[], transactional = true) => {
      meter.read = 0;
      meter.write = 0;
      meter.on = true;
      const result = await run();
      meter.on = false;
      const figures: CapacityFigures = { operation, writeUnits: meter.write, readUnits: meter.read };
      if (writes) {
        const items = await itemsWritten(result.requestId, writes(result));
        const sizes = items.map((i) => topItemSize(i));
        results.push({ ...figures, itemBytes: sizes, transactional, minWriteUnits: sizes.reduce((n, s) => n + Math.ceil(s / 1024), 0) * (transactional ? 2 : 1) });
      } else {
        results.push(figures);
      }
      return result;
    };

    const body = { factoryId: 'F001', title: 'Annual compliance pack', description: 'Please send the documents for the 2026 audit.', items: [{ docType: 'audit-report' }, { docType: 'certificate', note: 'ISO 9001' }] };
    const created = await measure('create request', () => call('buyer1', 'POST', '/v1/requests', body), (r) => [`REQUEST#${r.body.requestId}|REQUEST`]);
    await measure('create request (Idempotency-Key)', () => call('buyer1', 'POST', '/v1/requests', body, ['Idempotency-Key', 'bench-1']), (r) => [`REQUEST#${r.body.requestId}|REQUEST`]);
    const evidence = await measure('create evidence', () => call('factory1', 'POST', '/v1/evidence', { name: 'Audit report 2026', docType: 'audit-report' }), (r) => [`EVIDENCE#${r.body.evidenceId}|EVIDENCE`, `EVIDENCE#${r.body.evidenceId}|VERSION#0000000001`]);
    const requestId = created.body.requestId as string;
    const itemId = created.body.items[0].itemId as string;
    const evidenceId = evidence.body.evidenceId as string;
    await measure('fulfil item', () => call('factory1', 'POST', `/v1/requests/${requestId}/items/${itemId}/fulfill`, { evidenceId }), () => [`REQUEST#${requestId}|REQUEST`, `EVIDENCE#${evidenceId}|SHARE#B001#0000000001`]);
    await measure('review item', () => call('buyer1', 'POST', `/v1/requests/${requestId}/items/${itemId}/review`, { decision: 'ACCEPT' }), () => [`REQUEST#${requestId}|REQUEST`]);
    await measure('read request', () => call('buyer1', 'GET', `/v1/requests/${requestId}`), () => [], false);
    await measure('list requests', () => call('buyer1', 'GET', '/v1/requests'), () => [], false);
    await measure('request history', () => call('buyer1', 'GET', `/v1/requests/${requestId}/history`), () => [], false);
    await measure('audit read', () => call('auditor1', 'GET', '/v1/audit?limit=20'), () => [], false);
    return results;
  } finally {
    documents.destroy();
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  }
}
