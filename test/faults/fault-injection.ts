/**
 * SDK-level fault injection for fault tests: middlewares on a client's middlewareStack that
 * throw what AWS would throw, decided per command by a rule the test changes at will. Also
 * a test API whose adapters all run on such a faulty DynamoDB client.
 */
import { ProvisionedThroughputExceededException, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../../functions/composition/dependencies.js';
import { documentClient } from '../../functions/composition/table.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testConfiguration, testDeps } from '../support/deps.js';

export type DynamoFault = 'provisioned-throughput' | 'throttling' | 'transaction-throttled';

/** Decides, per DynamoDB command (`PutItemCommand`, `TransactWriteItemsCommand`, ...), whether it fails and how. */
export type FaultRule = (commandName: string) => DynamoFault | undefined;

function faultError(fault: DynamoFault): Error {
  const $metadata = { httpStatusCode: 400 };
  switch (fault) {
    case 'provisioned-throughput':
      return new ProvisionedThroughputExceededException({ message: 'Injected: the level of configured provisioned throughput was exceeded', $metadata });
    case 'throttling':
      return new ThrottlingException({ message: 'Injected: rate of requests exceeds the allowed throughput', $metadata });
    case 'transaction-throttled':
      return new TransactionCanceledException({
        message: 'Injected: transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, None]',
        $metadata,
        CancellationReasons: [{ Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity' }, { Code: 'None' }],
      });
  }
}

export interface FaultSwitch {
  rule: FaultRule;
  /** Commands failed so far, by name. */
  readonly injected: Map<string, number>;
}

/**
 * Adds the fault middleware at the `initialize` step, before the SDK's retry middleware: the
 * error stands for "throttled, and the bounded retries were used up".
 */
export function injectDynamoFaults(client: DynamoDBDocumentClient): FaultSwitch {
  const state: FaultSwitch = { rule: () => undefined, injected: new Map() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const fault = state.rule(name);
      if (fault) {
        state.injected.set(name, (state.injected.get(name) ?? 0) + 1);
        throw faultError(fault);
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectDynamoFaults', priority: 'high' },
  );
  return state;
}

/** A deterministic pseudo-random source (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Late-bound adapter: the table exists only once the test API runs, the handlers need the object before. */
function lateBound<T extends object>(resolve: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = resolve() as Record<PropertyKey, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface FaultyApi {
  readonly api: TestApi;
  readonly faults: FaultSwitch;
  stop(): Promise<void>;
}

/** The test API with every DynamoDB adapter on one client that fails on demand. */
export async function startFaultyApi(): Promise<FaultyApi> {
  let adapters: Pick<AppDeps, 'auditLog' | 'requests' | 'evidence' | 'organisations' | 'idempotency'> | undefined;
  const get = () => {
    if (!adapters) throw new Error('faulty adapters used before the table exists');
    return adapters;
  };
  const api = await startTestApi({
    auditLog: lateBound(() => get().auditLog),
    requests: lateBound(() => get().requests),
    evidence: lateBound(() => get().evidence),
    organisations: lateBound(() => get().organisations),
    idempotency: lateBound(() => get().idempotency),
  });
  // A configuration of its own: its document client is this API's alone, so the faults reach no other test.
  const config = testConfiguration(api.table, api.tokens);
  const documents = documentClient(config);
  const faults = injectDynamoFaults(documents);
  adapters = testDeps(config);
  return {
    api,
    faults,
    async stop() {
      await api.stop();
      documents.destroy();
    },
  };
}
