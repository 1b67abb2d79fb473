/** Turns the SDK's DynamoDB errors into domain errors; anything unknown is rethrown as is. */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { ConcurrentUpdateError, ServiceBusyError } from '../core/errors.js';

const THROTTLED = ['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'TransactionConflict'];
/** The HTTP handler's own failures carry no class, only a name or a Node error code. */
const UNREACHABLE = new Set(['TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return UNREACHABLE.has(error.name) || UNREACHABLE.has((error as NodeJS.ErrnoException).code ?? '');
}

export function translateDynamoError(error: unknown): never {
  if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException) {
    throw new ConcurrentUpdateError('A concurrent write changed the item first', { cause: error });
  }
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes.includes('ConditionalCheckFailed')) {
      throw new ConcurrentUpdateError('A concurrent write changed the item first', { cause: error });
    }
    if (codes.some((code) => THROTTLED.includes(code))) throw new ServiceBusyError(1, { cause: error });
  }
  if (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof RequestLimitExceeded ||
    error instanceof ThrottlingException
  ) {
    throw new ServiceBusyError(1, { cause: error });
  }
  // Timed out or unreachable after the SDK's bounded retries: busy, not broken; the caller may retry.
  if (isUnreachable(error)) throw new ServiceBusyError(2, { cause: error });
  throw error;
}

/** Runs one DynamoDB call, translating its errors. */
export async function dynamo<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return translateDynamoError(error);
  }
}
