/**
 * DynamoDB capacity consumed per API operation, measured on DynamoDB Local through the real
 * handlers and adapters (an SDK middleware adds ReturnConsumedCapacity to every call and sums
 * what comes back), beside the write units AWS's documented rules give for the same items
 * (bench/capacity-rules.ts): every item the operation wrote, read before and after it.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { documentClient } from '../functions/composition/table.js';
import { ROUTES } from '../functions/api/routes.js';
import { createTableInput, INDEXES, PARTITION_KEY, SORT_KEY } from '../functions/config/table.js';
import { createHandler as auditHandler } from '../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../functions/http/evidence.js';
import { createHandler as requestsHandler } from '../functions/http/requests.js';
import type { ApiHandler } from '../functions/middleware/api-operation.js';
import { lambdaContext, matchRoute, toProxyEvent } from '../local/api-gateway-adapter.js';
import { stableSub, type DemoUsername } from '../local/demo-users.js';
import { freePort } from '../local/net.js';
import { seedOrganisations } from '../local/seed.js';
import { findUser, generateSigningKey, TokenIssuer } from '../local/token-issuer.js';
import { testConfiguration, testDeps } from '../test/support/deps.js';
import { itemSize, writeUnits, type ItemChange, type WriteUnits } from './capacity-rules.js';
import { createServer } from 'node:http';

export interface CapacityFigures {
  readonly operation: string;
  /** As DynamoDB Local reports them. */
  readonly writeUnits: number;
  readonly readUnits: number;
  /** By AWS's documented rules for the items written (table and each index). */
  readonly aws: WriteUnits;
  /** Sizes of the items written, after the write. */
  readonly itemBytes: number[];
  /** Items answered, for a list page. */
  readonly pageItems?: number;
}

type Item = Record<string, unknown>;
const keyOf = (item: Item) => `${String(item[PARTITION_KEY])}|${String(item[SORT_KEY])}`;

/** Sums the capacity DynamoDB Local reports and notes the key of every item a write names. */
function meterCapacity(client: DynamoDBDocumentClient) {
  const meter = { read: 0, write: 0, on: false, written: new Map<string, boolean>() };
  const note = (key: Item | undefined, transactional: boolean) => {
    if (key) meter.written.set(keyOf(key), transactional || (meter.written.get(keyOf(key)) ?? false));
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      if (meter.on) {
        input.ReturnConsumedCapacity = 'TOTAL';
        for (const part of (input.TransactItems ?? []) as Record<string, { Item?: Item; Key?: Item }>[]) {
          for (const action of Object.values(part)) note(action.Item ?? action.Key, true);
        }
        note(input.Item ?? (/Update|Delete/.test(context.commandName ?? '') ? input.Key : undefined), false);
        for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
          if (!Array.isArray(requests)) continue;
          for (const r of requests as { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]) note(r.PutRequest?.Item ?? r.DeleteRequest?.Key, false);
        }
      }
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
    /** Every item of the table, read outside the meter. */
    const snapshot = async () => {
      const items = new Map<string, Item>();
      let start: Item | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) items.set(keyOf(item), item);
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    };
    const results: CapacityFigures[] = [];
    const measure = async (operation: string, run: () => Promise<{ body: Record<string, any>; requestId: string }>) => {
      const before = await snapshot();
      meter.read = 0;
      meter.write = 0;
      meter.written.clear();
      meter.on = true;
      const result = await run();
      meter.on = false;
      const after = await snapshot();
      const changes: ItemChange[] = [...meter.written].map(([key, transactional]) => ({ before: before.get(key), after: after.get(key), transactional }));
      const written = changes.filter((c) => c.after !== undefined || c.before !== undefined);
      results.push({
        operation,
        writeUnits: meter.write,
        readUnits: meter.read,
        aws: writeUnits(written, Object.values(INDEXES)),
        itemBytes: written.map((c) => itemSize((c.after ?? c.before)!)),
        ...(Array.isArray(result.body.items) && operation.startsWith('list') && { pageItems: result.body.items.length }),
      });
      return result;
    };

    const body = { factoryId: 'F001', title: 'Annual compliance pack', description: 'Please send the documents for the 2026 audit.', items: [{ docType: 'audit-report' }, { docType: 'certificate', note: 'ISO 9001' }] };
    // Each user's first call creates their personal-data key (once in their lifetime): not an operation's cost.
    for (const user of ['buyer1', 'factory1', 'auditor1'] as const) await call(user, 'GET', '/v1/requests?limit=1');
    const created = await measure('create request', () => call('buyer1', 'POST', '/v1/requests', body));
    await measure('create request with a due date', () => call('buyer1', 'POST', '/v1/requests', { ...body, dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) }));
    await measure('create request (Idempotency-Key)', () => call('buyer1', 'POST', '/v1/requests', body, ['Idempotency-Key', 'bench-1']));
    const evidence = await measure('create evidence', () => call('factory1', 'POST', '/v1/evidence', { name: 'Audit report 2026', docType: 'audit-report' }));
    const requestId = created.body.requestId as string;
    const itemId = created.body.items[0].itemId as string;
    const evidenceId = evidence.body.evidenceId as string;
    await measure('fulfil item', () => call('factory1', 'POST', `/v1/requests/${requestId}/items/${itemId}/fulfill`, { evidenceId }));
    await measure('review item', () => call('buyer1', 'POST', `/v1/requests/${requestId}/items/${itemId}/review`, { decision: 'ACCEPT' }));
    await measure('read request (an audited read)', () => call('buyer1', 'GET', `/v1/requests/${requestId}`));
    // Full pages: twenty requests more, then every list reads a page of 20.
    for (let i = 0; i < 20; i++) await call('buyer1', 'POST', '/v1/requests', body);
    for (let i = 0; i < 20; i++) await call('buyer1', 'GET', `/v1/requests/${requestId}`);
    await measure('list requests (buyer, page of 20)', () => call('buyer1', 'GET', '/v1/requests?limit=20'));
    await measure('list requests (factory, page of 20)', () => call('factory1', 'GET', '/v1/requests?limit=20'));
    await measure('list requests (auditor, every tenant, page of 20)', () => call('auditor1', 'GET', '/v1/requests?limit=20'));
    await measure('list request history (page of 20)', () => call('buyer1', 'GET', `/v1/requests/${requestId}/history?limit=20`));
    await measure('list audit events (every tenant, page of 20)', () => call('auditor1', 'GET', '/v1/audit?limit=20'));
    await measure('list audit events by actor (page of 20)', () => call('auditor1', 'GET', `/v1/audit?limit=20&actorId=${stableSub('buyer1')}`));
    return results;
  } finally {
    documents.destroy();
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  }
}
