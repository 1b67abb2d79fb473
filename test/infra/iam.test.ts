/**
 * What cdk-nag does not check: the product's own IAM rules. Nothing deletes table items or
 * archive objects, nothing changes retention, reader functions write only their audit item.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_COGNITO_ACTIONS } from '../../lib/stateless-stack.js';
import { synthApp } from './app.js';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let templates: Template[];
let stateless: Template;
beforeAll(() => {
  const app = synthApp({ stage: 'dev' });
  templates = [app.statefulTemplate, app.statelessTemplate];
  stateless = app.statelessTemplate;
});

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every Allow statement of every identity policy, with the logical id of its role(s). */
function allowStatements(): Array<{ roles: string[]; statement: Statement }> {
  return templates.flatMap((t) => [
    ...Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => s.Effect === 'Allow')
        .map((statement) => ({ roles: (p.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref), statement })),
    ),
    ...Object.entries(t.findResources('AWS::IAM::Role')).flatMap(([id, r]) =>
      ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) =>
        p.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow').map((statement) => ({ roles: [id], statement })),
      ),
    ),
  ]);
}

/** Statements of the role of one ServiceFunction (by construct id prefix, e.g. `Apiaudit`). */
function statementsOf(rolePrefix: string): Statement[] {
  return allowStatements()
    .filter((s) => s.roles.some((r) => r.startsWith(`${rolePrefix}Role`)))
    .map((s) => s.statement);
}

const globMatches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(action);

const FORBIDDEN = [
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteTable',
  'dynamodb:PartiQLDelete',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:BypassGovernanceRetention',
  's3:PutObjectLegalHold',
  's3:PutBucketObjectLockConfiguration',
  's3:PutLifecycleConfiguration',
];

/** The backup drill restores into, and deletes, its own `<table>-drill-*` copies: the only statements that may delete. */
const onDrillTablesOnly = (s: Statement) => {
  const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  return resources.every((r) => JSON.stringify(r).includes('-drill-*'));
};

/** Erasure deletes a username reservation (its key is the name): DeleteItem on USERNAME# items, nothing else. */
const onUsernamesOnly = (s: Statement) =>
  actionsOf(s).length === 1 &&
  actionsOf(s)[0] === 'dynamodb:DeleteItem' &&
  JSON.stringify(s.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USERNAME#*'] } });

describe('no role may delete or unlock data', () => {
  it.each(FORBIDDEN)('no Allow statement grants %s (directly or by wildcard), but on the drill\'s own copies', (forbidden) => {
    const offenders = allowStatements().filter(
      ({ statement }) => actionsOf(statement).some((a) => globMatches(a, forbidden)) && !onDrillTablesOnly(statement) && !onUsernamesOnly(statement),
    );
    expect(offenders).toEqual([]);
  });

  it('lets only the directory delete table items, and only username reservations (erasure)', () => {
    const deleters = allowStatements().filter(({ statement }) => actionsOf(statement).some((a) => globMatches(a, 'dynamodb:DeleteItem')) && !onDrillTablesOnly(statement));
    expect(deleters.map((d) => d.roles[0]!.replace(/Role.*/, ''))).toEqual(['Apidirectory']);
    expect(onUsernamesOnly(deleters[0]!.statement)).toBe(true);
  });

  it('lets only the drill delete tables, and only those named <table>-drill-*', () => {
    const deleters = allowStatements().filter(({ statement }) => actionsOf(statement).some((a) => globMatches(a, 'dynamodb:DeleteTable')));
    expect(deleters.map((d) => d.roles[0]!.replace(/Role.*/, ''))).toEqual(['BackupJobsDrill']);
    expect(onDrillTablesOnly(deleters[0]!.statement)).toBe(true);
  });

  it('grants kms:Encrypt on no data key: S3 and DynamoDB use GenerateDataKey and Decrypt', () => {
    // (CDK's grantSendMessages still adds it on the ops key for the KMS-encrypted failure queues.)
    const dataKey = /TableKey|ArchiveKey|EvidenceKey|ManifestSigningKey/;
    const encrypt = allowStatements().filter(
      ({ statement }) => actionsOf(statement).some((a) => globMatches(a, 'kms:Encrypt')) && dataKey.test(JSON.stringify(statement.Resource)),
    );
    expect(encrypt).toEqual([]);
    expect(allowStatements().filter(({ statement }) => dataKey.test(JSON.stringify(statement.Resource))).length).toBeGreaterThan(5);
  });

  it('grants Resource "*" only for X-Ray', () => {
    const starred = allowStatements().filter(({ statement }) => statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*')));
    for (const { statement } of starred) {
      for (const action of actionsOf(statement)) expect(action).toMatch(/^xray:/);
    }
    expect(starred.length).toBeGreaterThan(0);
  });
});

describe('per-function least privilege', () => {
  const dynamoActions = (prefix: string) => statementsOf(prefix).flatMap((s) => actionsOf(s).filter((a) => a.startsWith('dynamodb:')));

  it('the public group reads only user and organisation items (the session check), and no bucket', () => {
    const statements = statementsOf('Apipublic');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0]!)).toEqual(['dynamodb:GetItem']);
    expect(dynamo[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', 'ORG#*'] } });
    expect(statements.flatMap(actionsOf).filter((a) => /^s3:/.test(a))).toEqual([]);
    expect(statements.flatMap(actionsOf).filter((a) => /^kms:/.test(a)).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  it('the audit (reader) group reads, and writes only its audit events (AUDIT#) and its callers\' personal-data keys (USERKEY#)', () => {
    const writes = statementsOf('Apiaudit').filter((s) => actionsOf(s).some((a) => /Put|Update|Write/.test(a) && a.startsWith('dynamodb:')));
    expect(writes).toHaveLength(2);
    for (const write of writes) expect(actionsOf(write)).toEqual(['dynamodb:PutItem']);
    expect(writes.map((w) => w.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USERKEY#*'] } },
    ]);
    // Each grant matches a call in functions/adapters: GetCommand, QueryCommand, PutCommand.
    expect(new Set(dynamoActions('Apiaudit'))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']));
  });

  it.each(['Apirequests', 'Apievidence'])('%s reads and writes entity items, never deletes, and has no unused grant', (prefix) => {
    // GetCommand, QueryCommand, PutCommand / transaction Put, UpdateCommand / transaction Update: nothing else is called.
    expect(new Set(dynamoActions(prefix))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
  });

  it('Apidirectory reads and writes entity items, deletes only username reservations, and administers only its own user pool', () => {
    expect(new Set(dynamoActions('Apidirectory'))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
    const cognito = statementsOf('Apidirectory').filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect(new Set(actionsOf(cognito[0]!))).toEqual(new Set([...DIRECTORY_COGNITO_ACTIONS]));
    expect(actionsOf(cognito[0]!).every((a) => a.startsWith('cognito-idp:Admin') || a === 'cognito-idp:ListUsersInGroup')).toBe(true);
    expect(JSON.stringify(cognito[0]!.Resource)).toMatch(/UserPool.*Arn/);
    // No other function may administer users.
    const administrators = allowStatements().filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('cognito-idp:Admin')));
    expect(new Set(administrators.map((d) => d.roles[0]!.replace(/Role.*/, '')))).toEqual(new Set(['Apidirectory']));
  });

  it.each(['Apirequests', 'Apievidence', 'Apiaudit', 'Apidirectory'])('%s is denied every item under SYSTEM# (manifest head, archive batch ranges)', (prefix) => {
    const denies = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(`${prefix}Role`)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => st.Effect === 'Deny');
    expect(denies).toHaveLength(1);
    expect(denies[0]!.Condition).toEqual({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['SYSTEM#*'] } });
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem']) {
      expect(actionsOf(denies[0]!)).toContain(action);
    }
  });

  it('only the evidence group may PUT into the evidence bucket (presigned uploads and downloads); the file verifier only reads and tags, the pack builder only reads', () => {
    const onBucket = allowStatements().filter(({ statement }) => JSON.stringify(statement.Resource).includes('EvidenceBucketArn'));
    const byRole = (role: string) => onBucket.filter((p) => p.roles[0]!.startsWith(role)).flatMap((p) => actionsOf(p.statement));
    expect(new Set(onBucket.map((p) => p.roles[0]!.replace(/Role.*/, '')))).toEqual(new Set(['Apievidence', 'FileVerifierFunction', 'PackBuilderFunction']));
    expect(byRole('Apievidence').sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(byRole('FileVerifierFunction').sort()).toEqual(['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging']);
    expect(byRole('PackBuilderFunction')).toEqual(['s3:GetObject']);
    for (const p of onBucket) expect(JSON.stringify(p.statement.Resource)).toContain('/evidence/*');
  });

  it('the archiver only puts objects under audit/ and changes/, reads the stream, and gets and puts only SYSTEM#archive-batch items', () => {
    const s3 = statementsOf('Archiver').filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')) && JSON.stringify(s.Resource).includes('ArchiveBucketArn'));
    expect(s3).toHaveLength(1);
    expect(actionsOf(s3[0]!)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(s3[0]!.Resource)).toMatch(/audit\/\*.*changes\/\*/);
    // Its on-failure destination: put records into the failure bucket, never read or delete them.
    const failures = statementsOf('Archiver').filter((s) => JSON.stringify(s.Resource).includes('ArchiverFailureBucketArn'));
    expect(failures.flatMap(actionsOf).sort()).toEqual(['s3:ListBucket', 's3:PutObject']);
    expect(dynamoActions('Archiver').sort()).toEqual([
      'dynamodb:DescribeStream', 'dynamodb:GetItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'dynamodb:PutItem',
    ]);
    const items = statementsOf('Archiver').filter((s) => actionsOf(s).some((a) => a === 'dynamodb:GetItem' || a === 'dynamodb:PutItem'));
    expect(items).toHaveLength(1);
    expect(actionsOf(items[0]!)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(items[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SYSTEM#archive-batch'] } });
    // The table itself, not its indexes.
    expect(JSON.stringify(items[0]!.Resource)).not.toContain('index');
  });

  it('the export reads the archive, writes manifests only, signs with the signing key and writes only SYSTEM# items', () => {
    const statements = statementsOf('Export');
    const s3Puts = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(s3Puts).toHaveLength(1);
    expect(JSON.stringify(s3Puts[0]!.Resource)).toContain('/manifests/*');
    expect(statements.flatMap(actionsOf)).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 'kms:Sign', 'kms:GetPublicKey']));
    const writes = statements.filter((s) => actionsOf(s).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'));
    // The manifest head (a conditional PutItem, no UpdateItem) and the hourly heartbeat audit event.
    expect(writes.map((w) => [actionsOf(w), w.Condition])).toEqual([
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SYSTEM#*'] } }],
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } }],
    ]);
    expect(new Set(statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']));
  });

  it('the export lists only the archive prefixes it reads', () => {
    const lists = statementsOf('Export').filter((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(lists).toHaveLength(1);
    expect(lists[0]!.Condition).toEqual({ StringLike: { 's3:prefix': ['audit/*', 'changes/*', 'manifests/*'] } });
  });

  it('no function role has a managed policy', () => {
    for (const [id, role] of Object.entries(stateless.findResources('AWS::IAM::Role'))) {
      if (id.includes('CloudWatchRole')) continue;
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});
