/** The evidence bucket's rules, GuardDuty Malware Protection and the file verifier, as synthesized. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MALWARE_SCAN_RESULT, REJECTED_OBJECT_DAYS } from '../../lib/evidence-files.js';
import { synthApp } from './app.js';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let stateful: Template;
let stateless: Template;
beforeAll(() => {
  const app = synthApp({ stage: 'dev' });
  stateful = app.statefulTemplate;
  stateless = app.statelessTemplate;
});

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const one = <T>(record: Record<string, T>): [string, T] => {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};
const evidenceBucketId = () => one(stateful.findResources('AWS::S3::Bucket', { Properties: { CorsConfiguration: Match.anyValue() } }))[0];
const evidencePolicy = (): Statement[] => {
  const [, policy] = one(stateful.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: evidenceBucketId() } } }));
  return (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement;
};
const denial = (sid: string) => {
  const found = evidencePolicy().find((s) => s.Sid === sid);
  expect(found, sid).toBeDefined();
  expect(found!.Effect).toBe('Deny');
  return found!;
};

describe('evidence bucket', () => {
  it('refuses any PUT without an x-amz-checksum-sha256 header or If-None-Match: * (GuardDuty\'s validation object aside)', () => {
    for (const [sid, key] of [['DenyPutWithoutSha256Checksum', 's3:x-amz-checksum-sha256'], ['DenyPutWithoutIfNoneMatch', 's3:if-none-match']] as const) {
      const statement = denial(sid);
      expect(actionsOf(statement)).toEqual(['s3:PutObject']);
      expect(statement.Condition!['Null']).toEqual({ [key]: 'true' });
      expect(statement.Condition!['ArnNotEquals']).toEqual({ 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/MalwareProtectionRole/), 'Arn'] } });
    }
  });

  it('refuses PUTs asking for another encryption or another KMS key, and every request not over TLS', () => {
    expect(denial('DenyPutWithOtherEncryption').Condition).toEqual({ StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    expect(denial('DenyPutWithOtherKmsKey').Condition).toEqual({ StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [expect.stringMatching(/^EvidenceKey/), 'Arn'] } } });
    const tls = evidencePolicy().find((s) => JSON.stringify(s.Condition ?? {}).includes('aws:SecureTransport'));
    expect(tls).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('keeps objects encrypted with the evidence KMS key and never serves an object tagged rejected or infected', () => {
    const [, bucket] = one(stateful.findResources('AWS::S3::Bucket', { Properties: { CorsConfiguration: Match.anyValue() } }));
    expect((bucket as any).Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^EvidenceKey/), 'Arn'] },
    });
    expect(denial('DenyServingRejectedObjects').Condition).toEqual({ StringEquals: { 's3:ExistingObjectTag/evidence-file-status': 'REJECTED' } });
    expect(denial('DenyServingInfectedObjects').Condition).toEqual({ StringEquals: { 's3:ExistingObjectTag/GuardDutyMalwareScanStatus': 'THREATS_FOUND' } });
    for (const sid of ['DenyServingRejectedObjects', 'DenyServingInfectedObjects']) expect(actionsOf(denial(sid))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
  });

  it('sends its events to EventBridge and expires rejected and infected objects by tag', () => {
    const [, bucket] = one(stateful.findResources('AWS::S3::Bucket', { Properties: { CorsConfiguration: Match.anyValue() } }));
    const props = (bucket as any).Properties;
    expect(props.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(props.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'expire-rejected-files', ExpirationInDays: REJECTED_OBJECT_DAYS, TagFilters: [{ Key: 'evidence-file-status', Value: 'REJECTED' }], Status: 'Enabled' }),
        expect.objectContaining({ Id: 'expire-infected-files', ExpirationInDays: REJECTED_OBJECT_DAYS, TagFilters: [{ Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' }], Status: 'Enabled' }),
      ]),
    );
    expect(stateful.findResources('Custom::S3BucketNotifications')).toEqual({});
  });

  it('is protected by GuardDuty Malware Protection for S3 on evidence/, tagging scanned objects, with its own service role', () => {
    stateful.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
      ProtectedResource: { S3Bucket: { BucketName: { Ref: evidenceBucketId() }, ObjectPrefixes: ['evidence/'] } },
      Actions: { Tagging: { Status: 'ENABLED' } },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('MalwareProtectionRole'), 'Arn'] },
    });
    stateful.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' } })] },
    });
  });
});

describe('GuardDuty\'s service role', () => {
  it('may scan and tag evidence objects, manage only its DO-NOT-DELETE rules, and use the evidence key; nothing else', () => {
    const statements = Object.values(stateful.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref.includes('MalwareProtectionRole')))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid!, s]));
    expect(actionsOf(bySid['ManagedEventBridgeRules']!).sort()).toEqual(['events:DeleteRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets']);
    expect(JSON.stringify(bySid['ManagedEventBridgeRules']!.Resource)).toContain('rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*');
    expect(bySid['ManagedEventBridgeRules']!.Condition).toEqual({ StringLike: { 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' } });
    expect(actionsOf(bySid['ScanAndTagObjects']!).every((a) => /^s3:(Get|Put)Object(Version)?(Tagging)?$/.test(a))).toBe(true);
    expect(actionsOf(bySid['ValidationObject']!)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(bySid['ValidationObject']!.Resource)).toContain('malware-protection-resource-validation-object');
    const all = statements.flatMap(actionsOf);
    expect(all.filter((a) => /Delete(Object|Bucket)|PutBucketPolicy|iam:/.test(a))).toEqual([]);
    expect(all.filter((a) => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });
});

describe('file verifier', () => {
  const verifierId = () => one(stateless.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('declared size and SHA-256') } }))[0];
  const roleStatements = (): Statement[] =>
    Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref.startsWith('FileVerifierFunctionRole')))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);

  it('runs on EventBridge for new evidence objects and for GuardDuty THREATS_FOUND results, with retries and a dead-letter queue', () => {
    const targetOf = (pattern: Record<string, unknown>) => {
      const toVerifier = { Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [verifierId(), 'Arn'] } })]) };
      const [, rule] = one(stateless.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.objectLike(pattern), ...toVerifier } }));
      const target = (rule as any).Properties.Targets[0];
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [verifierId(), 'Arn'] });
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FileVerifierFailures/), 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 });
      return (rule as any).Properties.EventPattern;
    };
    expect(targetOf({ source: ['aws.s3'] })).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [expect.anything()] }, object: { key: [{ prefix: 'evidence/' }] } },
    });
    expect(targetOf({ source: ['aws.guardduty'] })).toMatchObject({
      'detail-type': [MALWARE_SCAN_RESULT],
      detail: { scanResultDetails: { scanResultStatus: ['THREATS_FOUND'] } },
    });
  });

  it('sends failed invocations to its encrypted failure queue and alarms on errors and on that queue', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: verifierId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FileVerifierFailures'), 'Arn'] } } },
    });
    stateless.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    const alarms = Object.entries(stateless.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('FileVerifier'));
    expect(alarms.map(([, a]) => (a as any).Properties.MetricName ?? 'math').sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors']);
    for (const [, a] of alarms) expect((a as any).Properties.AlarmActions).toHaveLength(1);
  });

  it('may read and tag evidence objects and update evidence and audit items, nothing more', () => {
    const statements = roleStatements().filter((s) => s.Effect === 'Allow');
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging']);
    for (const s of s3) expect(JSON.stringify(s.Resource)).toContain('/evidence/*');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s).sort(), s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']])).toEqual(
      expect.arrayContaining([
        [['dynamodb:GetItem', 'dynamodb:Query'], ['EVIDENCE#*']],
        [['dynamodb:UpdateItem'], ['EVIDENCE#*']],
        [['dynamodb:PutItem'], ['AUDIT#*']],
      ]),
    );
    expect(dynamo).toHaveLength(3);
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap(actionsOf).filter((a) => /Delete|Schedule|Put|Create/.test(a))).toEqual([]);
  });

  it('knows its table and bucket from the environment the function construct sets', () => {
    const [, fn] = one(stateless.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('declared size and SHA-256') } }));
    expect(Object.keys((fn as any).Properties.Environment.Variables).sort()).toEqual(['AUDIT_TTL_DAYS', 'EVIDENCE_BUCKET', 'NODE_OPTIONS', 'TABLE_NAME']);
  });
});
