import { ConditionalCheckFailedException, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { translateDynamoError } from '../../functions/adapters/dynamo-errors.js';
import { ConcurrentUpdateError, ServiceBusyError } from '../../functions/core/errors.js';

const $metadata = {};
const translated = (error: unknown) => {
  try {
    translateDynamoError(error);
  } catch (result) {
    return result;
  }
};

describe('translateDynamoError', () => {
  it('turns a lost condition into a concurrent update', () => {
    expect(translated(new ConditionalCheckFailedException({ message: 'x', $metadata }))).toBeInstanceOf(ConcurrentUpdateError);
    const cancelled = new TransactionCanceledException({ message: 'x', $metadata, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] });
    expect(translated(cancelled)).toBeInstanceOf(ConcurrentUpdateError);
  });

  it('turns throttling, timeouts and refused connections into a retryable busy error', () => {
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const throttledTransaction = new TransactionCanceledException({ message: 'x', $metadata, CancellationReasons: [{ Code: 'ThrottlingError' }] });
    for (const error of [new ThrottlingException({ message: 'x', $metadata }), throttledTransaction, timeout, refused]) {
      expect(translated(error)).toBeInstanceOf(ServiceBusyError);
    }
  });

  it('rethrows what it does not know', () => {
    const unknown = new Error('validation of the expression failed');
    expect(translated(unknown)).toBe(unknown);
  });
});
