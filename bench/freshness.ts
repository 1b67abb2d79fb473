/**
 * What the 60-second freshness costs per call, on DynamoDB Local through the production
 * adapters: the session check served from the container's cache (what nearly every call
 * pays), a cache miss (two eventually consistent GetItems in parallel, their read units
 * measured with ReturnConsumedCapacity), the amortised read units per call, and the real
 * time from a change to the first refusal with the deployed cache age. The personal-data
 * vault's sealing of one audit event (key cached) is measured beside it.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { organisationItem, userItem } from '../functions/adapters/dynamo-items.js';
import { DynamoPersonalDataVault } from '../functions/adapters/dynamo-personal-data-vault.js';
import { DynamoSessionStates } from '../functions/adapters/dynamo-session-states.js';
import { createTableInput } from '../functions/config/table.js';
import type { UserRecord } from '../functions/core/ports.js';
import { createSessionFreshness, DEFAULT_FRESHNESS_MS } from '../functions/middleware/session-freshness.js';
import type { AuditEvent } from '../functions/schemas/audit.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';
import { percentile } from './stats.js';

export interface FreshnessFigures {
  readonly hitP50Us: number;
  readonly hitP99Us: number;
  readonly missP50Us: number;
  readonly missP99Us: number;
  /** Read units of one cache miss (user item + organisation item, eventually consistent). */
  readonly missReadUnits: number;
  /** The container's cache age: at most one miss per user and organisation per this many ms. */
  readonly cacheMs: number;
  /** Real time from a user's disabling to the first refused call, polling every 100 ms. */
  readonly refusalMs: number;
  readonly sealP50Us: number;
  readonly sealP99Us: number;
}

async function timeUs(iterations: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run(i);
    times.push((performance.now() - started) * 1000);
  }
  return times;
}

export async function measureFreshness(endpoint: string, options: { measureRefusal?: boolean } = {}): Promise<FreshnessFigures> {
  const raw = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = `freshness-${randomUUID()}`;
  try {
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    const at = new Date().toISOString();
    await documents.send(new PutCommand({ TableName: tableName, Item: organisationItem({ orgId: 'B001', kind: 'buyer', name: 'Bench', status: 'ACTIVE', createdAt: at }) }));
    const users = 200;
    const userOf = (i: number): UserRecord => ({ userId: `u-${i}`, username: `u${i}`, email: `u${i}@example.com`, role: 'buyer', orgId: 'B001', status: 'ACTIVE', createdAt: at, updatedAt: at });
    for (let i = 0; i < users; i++) await documents.send(new PutCommand({ TableName: tableName, Item: userItem(userOf(i), 1) }));

    // Read units of one miss, counted by DynamoDB itself.
    let readUnits = 0;
    raw.middlewareStack.add(
      (next) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const output = await next(args);
        readUnits += (output.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
        return output;
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
    const states = new DynamoSessionStates(raw, tableName);
    const principal = (i: number) => ({ userId: `u-${i}`, username: `u${i}`, role: 'buyer' as const, orgId: 'B001' });
    const issuedAt = Math.floor(Date.now() / 1000);

    readUnits = 0;
    const miss = await timeUs(users, async (i) => createSessionFreshness({ states }).check(principal(i), issuedAt));
    const missReadUnits = readUnits / users;

    const cached = createSessionFreshness({ states });
    for (let i = 0; i < users; i++) await cached.check(principal(i), issuedAt);
    const hit = await timeUs(20_000, (i) => cached.check(principal(i % users), issuedAt));

    // The vault: seal one audit event, key cached.
    const vault = new DynamoPersonalDataVault(documents, tableName);
    const event = (i: number): AuditEvent => ({
      eventId: `evt-${i}`, occurredAt: at, action: 'request.read', outcome: 'SUCCESS',
      actor: { userId: `u-${i % users}`, role: 'buyer', orgId: 'B001', username: `u${i % users}` },
      resource: { type: 'request', id: 'r' }, statusCode: 200, correlationId: 'c', sourceIp: '203.0.113.9', userAgent: 'bench',
    });
    for (let i = 0; i < users; i++) await vault.seal(event(i));
    const seal = await timeUs(20_000, (i) => vault.seal(event(i)));

    // Real time from a change to the first refusal, with the deployed cache age and clock.
    let refusalMs = NaN;
    if (options.measureRefusal !== false) {
      const live = createSessionFreshness({ states });
      const subject = principal(0);
      await live.check(subject, issuedAt);
      const changedAt = new Date();
      await documents.send(new PutCommand({ TableName: tableName, Item: userItem({ ...userOf(0), status: 'DISABLED', updatedAt: changedAt.toISOString(), revokedAt: changedAt.toISOString() }, 2) }));
      for (;;) {
        try {
          await live.check(subject, issuedAt);
        } catch {
          refusalMs = Date.now() - changedAt.getTime();
          break;
        }
        if (Date.now() - changedAt.getTime() > 2 * DEFAULT_FRESHNESS_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return {
      hitP50Us: percentile(hit, 50),
      hitP99Us: percentile(hit, 99),
      missP50Us: percentile(miss, 50),
      missP99Us: percentile(miss, 99),
      missReadUnits,
      cacheMs: DEFAULT_FRESHNESS_MS,
      refusalMs,
      sealP50Us: percentile(seal, 50),
      sealP99Us: percentile(seal, 99),
    };
  } finally {
    documents.destroy();
  }
}
