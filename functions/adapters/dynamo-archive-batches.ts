/**
 * Ranges of the batches the archiver was handed, on DynamoDB: pk `SYSTEM#archive-batch`,
 * sk `<stream label>#<40-digit first sequence number>` (sequence numbers are only unique
 * within one stream). Written once, conditionally (the first attempt's range wins), before
 * the batch's first PUT; never updated or deleted by code: TTL removes them after a few
 * days, long after the stream's 24 h retention has made a retry impossible.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ARCHIVE_BATCH_PARTITION, type ArchiveBatchLedger, type ArchiveBatchRange } from '../archive/ports.js';
import { padSequence, safeLabel } from '../archive/records.js';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../config/table.js';
import { dynamo, translateDynamoError } from './dynamo-errors.js';

/** Stream records live 24 h; a range is kept well beyond any retry of its batch. */
export const ARCHIVE_BATCH_TTL_DAYS = 3;

const key = (streamLabel: string, firstSequenceNumber: string) => ({
  [PARTITION_KEY]: ARCHIVE_BATCH_PARTITION,
  [SORT_KEY]: `${safeLabel(streamLabel)}#${padSequence(firstSequenceNumber)}`,
});

function rangeOf(item: Record<string, unknown>): ArchiveBatchRange {
  return {
    streamArn: String(item['streamArn']),
    streamLabel: String(item['streamLabel']),
    firstSequenceNumber: String(item['firstSequenceNumber']),
    lastSequenceNumber: String(item['lastSequenceNumber']),
  };
}

export class DynamoArchiveBatchLedger implements ArchiveBatchLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays = ARCHIVE_BATCH_TTL_DAYS,
  ) {}

  async find(streamLabel: string, firstSequenceNumber: string): Promise<ArchiveBatchRange | undefined> {
    const { Item } = await dynamo(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: key(streamLabel, firstSequenceNumber), ConsistentRead: true })),
    );
    return Item ? rangeOf(Item) : undefined;
  }

  async record(range: ArchiveBatchRange, now: Date): Promise<ArchiveBatchRange> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(range.streamLabel, range.firstSequenceNumber),
            entity: 'archive-batch',
            streamArn: range.streamArn,
            streamLabel: range.streamLabel,
            firstSequenceNumber: range.firstSequenceNumber,
            lastSequenceNumber: range.lastSequenceNumber,
            createdAt: now.toISOString(),
            [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + this.ttlDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        }),
      );
      return range;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) return translateDynamoError(error);
    }
    // Recorded first by another attempt: its range holds.
    const recorded = await this.find(range.streamLabel, range.firstSequenceNumber);
    if (!recorded) throw new Error(`archive batch ${range.firstSequenceNumber} is recorded and then missing`);
    return recorded;
  }
}
