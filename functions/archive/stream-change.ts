/** A Lambda DynamoDB stream record as the consumers read it (archiver, notifier). */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamLabelOf, type StreamChange } from './records.js';

const image = (value: Record<string, unknown> | undefined) =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;

export function toStreamChange(record: DynamoDBRecord): StreamChange {
  const stream = record.dynamodb ?? {};
  const keys = image(stream.Keys as Record<string, unknown> | undefined) ?? {};
  const seconds = stream.ApproximateCreationDateTime ?? 0;
  const identity = record.userIdentity as { type?: string; principalId?: string } | undefined;
  return {
    eventName: record.eventName ?? 'MODIFY',
    sequenceNumber: stream.SequenceNumber ?? '',
    streamLabel: streamLabelOf(record.eventSourceARN ?? 'unknown'),
    changedAt: new Date(seconds * 1000).toISOString(),
    keys: { pk: String(keys['pk'] ?? ''), sk: String(keys['sk'] ?? '') },
    oldImage: image(stream.OldImage as Record<string, unknown> | undefined),
    newImage: image(stream.NewImage as Record<string, unknown> | undefined),
    userIdentity: identity ? { type: identity.type, principalId: identity.principalId } : undefined,
  };
}
