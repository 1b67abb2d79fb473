/**
 * Least-privilege table permissions, each action matched to a call in functions/adapters:
 * GetItem (GetCommand), Query (QueryCommand), PutItem (PutCommand, transaction Puts),
 * UpdateItem (UpdateCommand, transaction Updates). Nothing in the product deletes an item
 * (TTL does), so no statement grants DeleteItem or BatchWriteItem (which can delete).
 * TransactWriteItems has no action of its own: each part needs its per-item action. KMS:
 * DynamoDB uses Decrypt and GenerateDataKey on the caller's behalf, never Encrypt.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
export const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** Every action on items: what the SYSTEM# Deny covers. */
export const ITEM_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
  'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PartiQLSelect',
  'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete',
];
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = ['kms:GenerateDataKey'];

/** The table and its own indexes. */
export function tableResources(tableArn: string): string[] {
  return [tableArn, `${tableArn}/index/*`];
}

/** Read, create and update any item (the entity route groups). */
export function grantReadWriteItems(role: iam.IRole, tableArn: string, key: IKey): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'ReadWriteItems', actions: [...READ_ACTIONS, ...WRITE_ACTIONS], resources: tableResources(tableArn) }),
  );
  key.grant(role, ...KMS_READ, ...KMS_WRITE);
}

/** Read any item (through the table or its indexes), nothing else. */
export function grantReadItems(role: iam.IRole, tableArn: string, key: IKey): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadItems', actions: READ_ACTIONS, resources: tableResources(tableArn) }));
  key.grant(role, ...KMS_READ);
}

/**
 * Create or update only items whose partition key starts with `prefix` (e.g. `AUDIT#`):
 * a reader function writes its own audit item and nothing else.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export function grantWritesUnderPrefix(role: iam.IRole, tableArn: string, key: IKey, prefix: string, actions: string[]): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `Write${prefix.replace(/[^A-Za-z0-9]/g, '')}Items`,
      actions,
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
    }),
  );
  key.grant(role, ...KMS_WRITE);
}

/**
 * Read and write only the items of one partition (e.g. `SYSTEM#archive-batch`): the
 * statement holds only for requests whose every partition key equals `partitionKey`.
 */
export function grantItemsInPartition(role: iam.IRole, tableArn: string, key: IKey, partitionKey: string, actions: string[]): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `Items${partitionKey.replace(/[^A-Za-z0-9]/g, '')}`,
      actions,
      resources: [tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [partitionKey] } },
    }),
  );
  const reads = actions.some((a) => /Get|Query|Scan/.test(a));
  const writes = actions.some((a) => /Put|Update/.test(a));
  key.grant(role, ...(reads ? KMS_READ : []), ...(writes ? KMS_WRITE : []));
}

/**
 * Keeps a role off every item whose partition key starts with `prefix` (e.g. `SYSTEM#`: the
 * manifest head, archive batch ranges), whatever its Allow statements say.
 */
export function denyItemsUnderPrefix(role: iam.IRole, tableArn: string, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `Deny${prefix.replace(/[^A-Za-z0-9]/g, '')}Items`,
      effect: iam.Effect.DENY,
      actions: ITEM_ACTIONS,
      resources: tableResources(tableArn),
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
    }),
  );
}

/**
 * GetItem on user (`USER#`) and organisation (`ORG#`) items only: the session check every
 * route group runs (functions/adapters/dynamo-session-states.ts), for a group that reads nothing else.
 */
export function grantSessionReads(role: iam.IRole, tableArn: string, key: IKey): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadSessionItems',
      actions: ['dynamodb:GetItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', 'ORG#*'] } },
    }),
  );
  key.grant(role, ...KMS_READ);
}
